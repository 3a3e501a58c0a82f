// The only module that talks to the Rust side. Each function is one Tauri command of src-tauri; the
// arguments are camelCase here and snake_case there (Tauri converts them).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { sendInParts } from './files';
import type {
  AppUpdateView,
  CarryOver,
  CitizenView,
  DraftInfo,
  DraftView,
  FileRef,
  FormSummary,
  FormsView,
  IpcError,
  JsonValue,
  LaunchOptions,
  ProvisioningView,
  ReceiptView,
  ReviewView,
  SearchResult,
  SetupResult,
  StartView,
  VaultState,
} from './types';

/** The installed forms, with texts in `lang`. */
export function listForms(lang: string): Promise<FormSummary[]> {
  return invoke<FormSummary[]>('list_forms', { lang });
}

/** The forms matching `query`, best first; none for an empty query. */
export function searchForms(query: string, lang: string): Promise<SearchResult[]> {
  return invoke<SearchResult[]>('search_forms', { query, lang });
}

/**
 * Open and finalized drafts, the most recently changed first; with a `query`, those whose citizen's name or
 * form title contains its words.
 */
export function listDrafts(query = ''): Promise<DraftInfo[]> {
  return invoke<DraftInfo[]>('list_drafts', { query });
}

/** Tells the shell that the first screen is drawn and takes input. */
export function uiReady(screen: 'setup' | 'lock' | 'start' | 'wizard' | 'failure'): Promise<void> {
  return invoke<void>('ui_ready', { screen });
}

/** Whether the desk is set up and unlocked, and who can unlock it. */
export function vaultState(): Promise<VaultState> {
  return invoke<VaultState>('vault_state');
}

/** Sets up a new desk for its first clerk; answers with the recovery secret, shown this once. */
export function setUpDesk(clerk: string, pin: string, repeated: string): Promise<SetupResult> {
  return invoke<SetupResult>('set_up_desk', { clerk, pin, repeated });
}

/** Unlocks the desk with a clerk's PIN. */
export function unlock(clerk: string, pin: string): Promise<VaultState> {
  return invoke<VaultState>('unlock', { clerk, pin });
}

/** Unlocks with the recovery secret and gives `clerk` a new PIN. */
export function recover(secret: string, clerk: string, pin: string, repeated: string): Promise<VaultState> {
  return invoke<VaultState>('recover', { secret, clerk, pin, repeated });
}

/** Gives another clerk access with their own PIN. */
export function addClerk(clerk: string, pin: string, repeated: string): Promise<VaultState> {
  return invoke<VaultState>('add_clerk', { clerk, pin, repeated });
}

/** Locks the desk: keys and drafts leave memory. */
export function lockDesk(): Promise<void> {
  return invoke<void>('lock');
}

/** Tells the desk the clerk is at work, so that the idle lock waits. */
export function stillHere(): Promise<void> {
  return invoke<void>('still_here');
}

/** Calls `handler` when the desk locked itself (idle) or was locked. */
export function onLocked(handler: () => void): Promise<UnlistenFn> {
  return listen('desk-locked', () => handler());
}

/** Starts a draft of `formId` on its first step. */
export function startDraft(formId: string): Promise<DraftView> {
  return invoke<DraftView>('start_draft', { formId });
}

/** A draft as it stands. */
export function getDraft(id: number): Promise<DraftView> {
  return invoke<DraftView>('get_draft', { id });
}

/** Sets the answer at `path` (`hunde[1].rasse`); `null` clears it. */
export function setAnswer(id: number, path: string, value: JsonValue): Promise<DraftView> {
  return invoke<DraftView>('set_answer', { id, path, value });
}

/** Adds an instance to the repeat group `group`. */
export function addInstance(id: number, group: string): Promise<DraftView> {
  return invoke<DraftView>('add_instance', { id, group });
}

/** Removes instance `index` of the repeat group `group`. */
export function removeInstance(id: number, group: string, index: number): Promise<DraftView> {
  return invoke<DraftView>('remove_instance', { id, group, index });
}

/** "Weiter": the next step if this one has no errors, else the same step with all its errors shown. */
export function nextStep(id: number): Promise<DraftView> {
  return invoke<DraftView>('next_step', { id });
}

/** "Zurück". */
export function previousStep(id: number): Promise<DraftView> {
  return invoke<DraftView>('previous_step', { id });
}

/** Jumps to a visited step, or to `review` once every step was visited. */
export function goToStep(id: number, step: string): Promise<DraftView> {
  return invoke<DraftView>('go_to_step', { id, step });
}

/** Switches the form's texts to the citizen's language. */
export function setCitizenLang(id: number, lang: string): Promise<DraftView> {
  return invoke<DraftView>('set_citizen_lang', { id, lang });
}

/** Everything entered, step by step, formatted for reading. */
export function reviewDraft(id: number): Promise<ReviewView> {
  return invoke<ReviewView>('review_draft', { id });
}

/** Finalizes a complete draft; it can no longer change afterwards. */
export function finalizeDraft(id: number): Promise<DraftView> {
  return invoke<DraftView>('finalize_draft', { id });
}

/** Opens the read-only window for a second screen facing the citizen, or brings it to the front. */
export function openCitizenWindow(): Promise<void> {
  return invoke<void>('open_citizen_window');
}

/** What the citizen's screen shows: the clerk's current step; `null` while no draft is open. */
export function citizenView(): Promise<CitizenView | null> {
  return invoke<CitizenView | null>('citizen_view');
}

/** Calls `handler` whenever a draft changed (the desk tells the citizen's window). */
export function onDraftChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('draft-changed', () => handler());
}

/** How the app was started (`--open FORM_ID`). */
export function launchOptions(): Promise<LaunchOptions> {
  return invoke<LaunchOptions>('launch_options');
}

/** Whether a command was refused because the desk is locked. */
export function isLocked(e: unknown): boolean {
  return isIpcError(e) && e.code === 'locked';
}

/** Whether a rejected command carries the desk's `{ code, message }`. */
export function isIpcError(e: unknown): e is IpcError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as IpcError).code === 'string' &&
    typeof (e as IpcError).message === 'string'
  );
}

/**
 * Sends `blob` as a file of draft `id`; the desk stores it encrypted, part by part, and answers with the
 * record the answer keeps. `progress` hears the bytes sent so far.
 */
export async function sendFile(
  id: number,
  blob: Blob,
  name: string,
  progress?: (sent: number, total: number) => void,
): Promise<FileRef> {
  const file = await invoke<string>('begin_file', { id, name, mediaType: blob.type });
  // The parts go as raw bytes; which file they belong to goes in the headers.
  const headers = { 'Formdesk-Draft': String(id), 'Formdesk-File': file };
  await sendInParts(blob, (bytes) => invoke<void>('add_to_file', bytes, { headers }), progress);
  return invoke<FileRef>('finish_file', { id, file });
}

/** The bytes of one of draft `id`'s files. */
export async function readFile(id: number, file: FileRef | { ref: string; mediaType: string }): Promise<Blob> {
  const bytes = await invoke<ArrayBuffer>('read_file', { id, file: file.ref });
  return new Blob([bytes], { type: file.mediaType });
}

/** What the receipt of finalized draft `id` shows: reference, QR code, delivery state. */
export function receiptView(id: number): Promise<ReceiptView> {
  return invoke<ReceiptView>('receipt_view', { id });
}

/** Prints the receipt through the system's printing. */
export function printReceipt(id: number): Promise<void> {
  return invoke<void>('print_receipt', { id });
}

/** Asks the clerk where to save the receipt's PDF and saves it there; the path, or `null` if cancelled. */
export function saveReceipt(id: number): Promise<string | null> {
  return invoke<string | null>('save_receipt', { id });
}

/**
 * The work list and where delivery to the portal stands (registration, connection and the queue), read
 * together so that they always agree.
 */
export function startView(): Promise<StartView> {
  return invoke<StartView>('start_view');
}

/** Connects the desk with its portal by the administrator's one-time code. */
export function enrolPortal(url: string, code: string): Promise<StartView> {
  return invoke<StartView>('enrol_portal', { url, code });
}

/** What the provisioning file given with `--provision` sets the desk up for; rejects when it cannot be read. */
export function provisioning(): Promise<ProvisioningView | null> {
  return invoke<ProvisioningView | null>('provisioning');
}

/** "Einrichtungsdatei wählen": the system's file dialog; null when nothing was chosen. */
export function chooseProvisioningFile(): Promise<ProvisioningView | null> {
  return invoke<ProvisioningView | null>('choose_provisioning_file');
}

/** Connects the desk with the portal of its provisioning file, with no address typed. */
export function enrolProvisioned(): Promise<StartView> {
  return invoke<StartView>('enrol_provisioned');
}

/** The running version of the app, and a newer one ready to be installed. */
export function appUpdate(): Promise<AppUpdateView> {
  return invoke<AppUpdateView>('app_update');
}

/** "Jetzt neu starten": installs the ready version and starts the app again. */
export function installAppUpdate(): Promise<void> {
  return invoke<void>('install_app_update');
}

/** Calls `handler` when a new version of the app became ready, or an offer was refused. */
export function onAppUpdateChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('app-update-changed', () => handler());
}

/** "Jetzt senden": everything not yet delivered is sent now. */
export function sendNow(): Promise<StartView> {
  return invoke<StartView>('send_now');
}

/** Calls `handler` whenever the queue or the connection changed. */
export function onSyncChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('sync-changed', () => handler());
}

/** The "Formulare" panel: the installed form set and the last check for new forms. */
export function formsView(): Promise<FormsView> {
  return invoke<FormsView>('forms_view');
}

/** "Formulare aktualisieren": the desk asks its portal now and answers once the check is done. */
export function updateForms(): Promise<FormsView> {
  return invoke<FormsView>('update_forms');
}

/** Carries open draft `id` over into the current version of its form; the new draft opens on the review. */
export function carryOver(id: number): Promise<CarryOver> {
  return invoke<CarryOver>('carry_over', { id });
}

/** A check for new forms began or ended, or a new set was installed. */
export function onFormsChanged(handler: () => void): Promise<UnlistenFn> {
  return listen('forms-changed', () => handler());
}

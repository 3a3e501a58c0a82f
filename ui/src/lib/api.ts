// The only module that talks to the Rust side. Each function is one Tauri command of src-tauri; the
// arguments are camelCase here and snake_case there (Tauri converts them).
import { invoke } from '@tauri-apps/api/core';
import type { Answers, FormState, FormSummary, IpcError, LaunchOptions } from './types';

/** The installed forms, with texts in `lang`. */
export function listForms(lang: string): Promise<FormSummary[]> {
  return invoke<FormSummary[]>('list_forms', { lang });
}

/** A form's state with no answers yet. */
export function openForm(formId: string, lang: string): Promise<FormState> {
  return invoke<FormState>('open_form', { formId, lang });
}

/** A form's state for `answers`; the engine decides visibility, errors and computed values. */
export function evaluateForm(formId: string, answers: Answers, lang: string): Promise<FormState> {
  return invoke<FormState>('evaluate_form', { formId, answers, lang });
}

/** How the app was started (`--open FORM_ID`). */
export function launchOptions(): Promise<LaunchOptions> {
  return invoke<LaunchOptions>('launch_options');
}

/** Whether a rejected command carries the desk's `{ code, message }`. */
export function isIpcError(e: unknown): e is IpcError {
  return typeof e === 'object' && e !== null && typeof (e as IpcError).code === 'string' &&
    typeof (e as IpcError).message === 'string';
}

/** A message for the clerk from whatever a command rejected with. */
export function errorMessage(e: unknown): string {
  if (isIpcError(e)) return e.message;
  return `Unerwarteter Fehler: ${String(e)}`;
}

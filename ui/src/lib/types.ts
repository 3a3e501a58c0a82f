// The types that cross IPC, mirroring the Rust side field for field:
// `formdesk_desk::ipc` (FormSummary, IpcError) and `formdesk_engine::state` (FormState and its parts).
// Hand-written for now; they are to be generated with ts-rs and checked by the Rust tests.

/** What an item is (`formdesk_engine::definition::ItemKind`). */
export type ItemKind =
  | 'text'
  | 'longText'
  | 'integer'
  | 'decimal'
  | 'currency'
  | 'date'
  | 'boolean'
  | 'choice'
  | 'multiChoice'
  | 'email'
  | 'phone'
  | 'iban'
  | 'postcode'
  | 'address'
  | 'attachment'
  | 'photo'
  | 'signature'
  | 'info'
  | 'computed'
  | 'group';

/** Special formats of text fields (`TextFormat`). */
export type TextFormat = 'steuerId' | 'vehiclePlate';

/** Any JSON value: answers and computed values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Answers: one JSON object keyed by field id (`formdesk_engine::Answers`). */
export type Answers = { [id: string]: JsonValue };

/** A form in the list of installed forms (`FormSummary`). */
export interface FormSummary {
  id: string;
  version: string;
  title: string;
  description: string | null;
  languages: string[];
}

/** The closed set of error codes across IPC (`ErrorCode`). */
export type ErrorCode = 'unknown_form';

/** An error as the UI receives it (`IpcError`). */
export interface IpcError {
  code: ErrorCode;
  message: string;
}

/** The evaluated state of a form (`FormState`). */
export interface FormState {
  formId: string;
  formVersion: string;
  lang: string;
  title: string;
  /** All steps, hidden ones included. */
  steps: StepState[];
  /** Computed values by id. */
  values: { [id: string]: JsonValue };
  fees: FeeState[];
  /** Every error of a visible field, in form order. */
  errors: FieldError[];
  complete: boolean;
}

/** A step's state (`StepState`). */
export interface StepState {
  id: string;
  title: string;
  description?: string;
  visible: boolean;
  complete: boolean;
  errorCount: number;
  items: ItemState[];
}

/** An item's state (`ItemState`); optional fields are left out of the JSON when empty. */
export interface ItemState {
  kind: ItemKind;
  id: string;
  /** Path in the answers: `sepa_iban`, `hunde[1].rasse`. */
  path: string;
  label?: string;
  help?: string;
  /** The text of an info item. */
  text?: string;
  visible: boolean;
  required: boolean;
  sensitive: boolean;
  /** The answer, or the computed value; `null` when there is none. */
  value: JsonValue;
  errors?: ItemError[];
  options?: OptionState[];
  input?: InputHints;
  repeat?: RepeatState;
  /** The children of a plain group. */
  items?: ItemState[];
  /** The instances of a repeat group, each with its children. */
  instances?: ItemState[][];
}

/** An error shown at an item (`ItemError`). */
export interface ItemError {
  code: string;
  message: string;
}

/** An error with the path of its field (`FieldError`). */
export interface FieldError {
  path: string;
  code: string;
  message: string;
}

/** An option of a choice (`OptionState`). */
export interface OptionState {
  value: string;
  label: string;
}

/** Bounds and labels of a repeat group (`RepeatState`). */
export interface RepeatState {
  min: number;
  max: number;
  itemLabel?: string;
}

/** Hints for an input control (`InputHints`). */
export interface InputHints {
  maxLength?: number;
  /** Decimal string. */
  min?: string;
  /** Decimal string. */
  max?: string;
  format?: TextFormat;
  accept?: string[];
  maxFiles?: number;
}

/** A fee that applies (`FeeState`). */
export interface FeeState {
  id: string;
  label: string;
  /** Euros with two decimals, `"96.00"`. */
  amount: string;
  note?: string;
}

/** How the app was started (`LaunchOptions` in src-tauri). */
export interface LaunchOptions {
  openForm: string | null;
}

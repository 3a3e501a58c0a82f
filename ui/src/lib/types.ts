// The types that cross IPC. Generated from the Rust types with ts-rs into ./bindings (`cargo xtask codegen`);
// the Rust tests fail when they are stale. Only what the shell defines by itself is written here.

export type { CarryOver } from './bindings/CarryOver';
export type { CitizenView } from './bindings/CitizenView';
export type { DeliveryState } from './bindings/DeliveryState';
export type { DraftInfo } from './bindings/DraftInfo';
export type { DraftStatus } from './bindings/DraftStatus';
export type { DraftView } from './bindings/DraftView';
export type { ErrorCode } from './bindings/ErrorCode';
export type { FeeState } from './bindings/FeeState';
export type { FieldError } from './bindings/FieldError';
export type { FileRef } from './bindings/FileRef';
export type { FormState } from './bindings/FormState';
export type { FormStatus } from './bindings/FormStatus';
export type { FormSummary } from './bindings/FormSummary';
export type { FormsInfo } from './bindings/FormsInfo';
export type { FormsView } from './bindings/FormsView';
export type { NotCarried } from './bindings/NotCarried';
export type { NotCarriedReason } from './bindings/NotCarriedReason';
export type { InputHints } from './bindings/InputHints';
export type { IpcError } from './bindings/IpcError';
export type { ItemError } from './bindings/ItemError';
export type { ItemKind } from './bindings/ItemKind';
export type { ItemState } from './bindings/ItemState';
export type { OptionState } from './bindings/OptionState';
export type { RepeatState } from './bindings/RepeatState';
export type { ReceiptView } from './bindings/ReceiptView';
export type { ReviewItem } from './bindings/ReviewItem';
export type { ReviewStep } from './bindings/ReviewStep';
export type { ReviewView } from './bindings/ReviewView';
export type { SearchResult } from './bindings/SearchResult';
export type { AppUpdateView } from './bindings/AppUpdateView';
export type { ProvisioningView } from './bindings/ProvisioningView';
export type { SetupResult } from './bindings/SetupResult';
export type { QueueEntry } from './bindings/QueueEntry';
export type { StepState } from './bindings/StepState';
export type { StartView } from './bindings/StartView';
export type { SyncView } from './bindings/SyncView';
export type { TextFormat } from './bindings/TextFormat';
export type { ValueType } from './bindings/ValueType';
export type { VaultState } from './bindings/VaultState';
export type { JsonValue } from './bindings/serde_json/JsonValue';

import type { JsonValue } from './bindings/serde_json/JsonValue';

/** Answers: one JSON object keyed by field id (`formdesk_engine::Answers`). */
export type Answers = { [id: string]: JsonValue };

/** How the app was started (`LaunchOptions` in src-tauri). */
export interface LaunchOptions {
  openForm: string | null;
}

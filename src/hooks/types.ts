// The service types screens may name. Screens and components import them from here, never from
// services/, so the one-way rule (screens -> hooks -> services) holds even for types.
export type { ImageRecord, ImageDetails } from '../services/library/images.js';
export type { TransferJob, TransferState, NewTransfer } from '../services/transfers/types.js';
export type { BackendKind, BackendStatus, RemoteEntry, Listing, LoginStart, SearchHit } from '../services/backends/backend.js';
export type { Bookmark } from '../services/config.js';

/**
 * The participant's dashboard (`/account`): their surveys in progress, their submitted responses with receipts,
 * and what they follow. It owns no data: each module lists the person's own things from a small per-user document
 * read by `_id` (see platform/db/user-lists.ts and surveys/participant-index.ts).
 */
export { dashboardRouter, type DashboardDeps } from './dashboard.routes';

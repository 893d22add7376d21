import { ValidationError, type MessageRef } from '../../platform/errors';
import type { CommitmentsService } from './commitments.service';
import type { Actor } from './commitments.types';

/**
 * Importing a plan's commitments and milestones from CSV (RFC 4180, as spreadsheets save it). One row per
 * commitment or milestone; rows are checked one by one, and every rejected row is reported with its line and its
 * reasons, while the good rows are imported (as drafts). Importing the same file twice creates nothing twice:
 * commitment numbers and milestone numbers are unique, so the second time every row is reported as existing.
 */

export const IMPORT_COLUMNS = [
  'type',
  'commitment',
  'milestone',
  'theme_en',
  'theme_fr',
  'title_en',
  'title_fr',
  'lead_department_en',
  'lead_department_fr',
  'enquiry_email',
  'status',
  'planned_result_en',
  'planned_result_fr',
  'description_en',
  'description_fr',
  'start_date',
  'end_date',
] as const;
const REQUIRED = ['type', 'commitment', 'title_en', 'title_fr', 'status'];
export const IMPORT_MAX_ROWS = 2000;

/** Parses CSV text into rows of cells: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(input: string): string[][] {
  const text = input.replace(/^\uFEFF/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (quoted)
    throw new ValidationError([{ field: 'csv', message: { key: 'commitments:import.unclosedQuote' } }]);
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((value) => value.trim() !== ''));
}

export interface RejectedRow {
  line: number;
  reasons: { column: string; message: MessageRef }[];
}

export interface ImportReport {
  commitments: number;
  milestones: number;
  rejected: RejectedRow[];
}

/** Form field ids as the services name them -> the CSV columns they come from. */
const COLUMN_OF: Record<string, string> = {
  number: 'commitment',
  themeEn: 'theme_en',
  themeFr: 'theme_fr',
  titleEn: 'title_en',
  titleFr: 'title_fr',
  textEn: 'title_en',
  textFr: 'title_fr',
  leadDepartmentEn: 'lead_department_en',
  leadDepartmentFr: 'lead_department_fr',
  enquiryEmail: 'enquiry_email',
  status: 'status',
  plannedResultEn: 'planned_result_en',
  plannedResultFr: 'planned_result_fr',
  descriptionEn: 'description_en',
  descriptionFr: 'description_fr',
  startDate: 'start_date',
  endDate: 'end_date',
};

export async function importPlanCsv(
  service: CommitmentsService,
  slug: string,
  csv: string,
  actor: Actor,
): Promise<ImportReport> {
  // Another organisation's plan is a NotFoundError before anything is read from the file.
  const plan = await service.managedPlan(slug, actor);
  const rows = parseCsv(csv);
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
  const fileError = (key: string, values?: Record<string, string | number>) =>
    new ValidationError([
      { field: 'csv', message: { key: `commitments:import.${key}`, ...(values ? { values } : {}) } },
    ]);
  if (!header.length) throw fileError('empty');
  const unknown = header.filter((h) => !(IMPORT_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw fileError('unknownColumns', { columns: unknown.join(', ') });
  const absent = REQUIRED.filter((h) => !header.includes(h));
  if (absent.length) throw fileError('missingColumns', { columns: absent.join(', ') });
  if (rows.length > IMPORT_MAX_ROWS) throw fileError('tooManyRows', { max: IMPORT_MAX_ROWS });

  const report: ImportReport = { commitments: 0, milestones: 0, rejected: [] };
  for (const [index, cells] of rows.entries()) {
    const line = index + 2; // the header is line 1
    const get = (column: string) => (cells[header.indexOf(column)] ?? '').trim();
    const reject = (reasons: RejectedRow['reasons']) => report.rejected.push({ line, reasons });
    if (cells.length !== header.length) {
      reject([
        {
          column: '',
          message: {
            key: 'commitments:import.cellCount',
            values: { expected: header.length, found: cells.length },
          },
        },
      ]);
      continue;
    }
    const type = get('type').toLowerCase();
    try {
      if (type === 'commitment') {
        await service.createCommitment(
          plan.slug,
          {
            number: get('commitment'),
            theme: { en: get('theme_en'), fr: get('theme_fr') },
            title: { en: get('title_en'), fr: get('title_fr') },
            summary: { en: '', fr: '' },
            leadDepartment: { en: get('lead_department_en'), fr: get('lead_department_fr') },
            enquiryEmail: get('enquiry_email'),
            otherActors: { en: '', fr: '' },
            plannedResult: { en: get('planned_result_en'), fr: get('planned_result_fr') },
            description: { en: get('description_en'), fr: get('description_fr') },
            status: get('status') || 'not_started',
            consultationIds: [],
            roundIds: [],
          },
          actor,
        );
        report.commitments += 1;
      } else if (type === 'milestone') {
        await service.getCommitment(plan.slug, get('commitment'), { includeDrafts: true }).catch(() => {
          throw new ValidationError([
            { field: 'number', message: { key: 'commitments:import.unknownCommitment' } },
          ]);
        });
        await service.addMilestone(
          plan.slug,
          get('commitment').toLowerCase(),
          {
            number: get('milestone'),
            text: { en: get('title_en'), fr: get('title_fr') },
            status: get('status') || 'not_started',
            startDate: get('start_date'),
            endDate: get('end_date'),
          },
          actor,
        );
        report.milestones += 1;
      } else {
        reject([{ column: 'type', message: { key: 'commitments:import.unknownType' } }]);
      }
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      reject(
        error.fieldErrors.map((f) => ({
          column:
            f.field === 'number' && type === 'milestone' && f.message.key.includes('milestone')
              ? 'milestone'
              : (COLUMN_OF[f.field] ?? f.field),
          message: f.message,
        })),
      );
    }
  }
  return report;
}

/**
 * The option id behind an answer's checkbox in the builder's "show only if" fields, found by the answer's visible
 * label (what an officer clicks), for tests that post the form as a browser would.
 */
export function conditionAnswerId(html: string, questionId: string, label: string): string {
  const boxes = html.matchAll(
    new RegExp(
      `<input type="checkbox" id="(showIf-${questionId}-\\d+)" name="showIfValues" value="([^"]+)"[^>]*>\\s*<label for="\\1">([^<]*)</label>`,
      'g',
    ),
  );
  for (const box of boxes) if (box[3] === label) return box[2] as string;
  throw new Error(`no answer “${label}” for ${questionId} in the condition form`);
}

import {
  detailsFormSchema,
  parseBuilderForm,
  sectionFormSchema,
  titleAndDescription,
} from './builder.schemas';

describe('builder form schemas', () => {
  it('when a field is sent twice, then its first value is read', () => {
    const form = parseBuilderForm(detailsFormSchema, { titleEn: ['First', 'Second'] });
    expect(form.titleEn).toBe('First');
  });

  it('when a field is missing or not text, then it is empty, and nothing is refused', () => {
    const form = parseBuilderForm(detailsFormSchema, { titleEn: { $ne: 1 }, titleFr: 3 });
    expect(form).toEqual({ titleEn: '', titleFr: '', descriptionEn: '', descriptionFr: '' });
    expect(parseBuilderForm(detailsFormSchema, undefined).titleEn).toBe('');
  });

  it('when values have spaces, then the form keeps them as sent and the survey gets them trimmed', () => {
    const form = parseBuilderForm(detailsFormSchema, { titleEn: ' Hello ', titleFr: 'Bonjour' });
    expect(form.titleEn).toBe(' Hello ');
    expect(titleAndDescription(form)).toEqual({ title: { en: 'Hello', fr: 'Bonjour' } });
  });

  it('when an introduction is given in one language, then it is kept with the other empty', () => {
    const form = parseBuilderForm(detailsFormSchema, { descriptionFr: ' Intro ' });
    expect(titleAndDescription(form).description).toEqual({ en: '', fr: 'Intro' });
  });

  it('when a condition lists one value or several, then both are kept for the condition reader', () => {
    expect(parseBuilderForm(sectionFormSchema, { showIfValues: 'a,b' }).showIfValues).toBe('a,b');
    expect(parseBuilderForm(sectionFormSchema, { showIfValues: ['a', 'b'] }).showIfValues).toEqual([
      'a',
      'b',
    ]);
    expect(parseBuilderForm(sectionFormSchema, { showIfValues: [{}] }).showIfValues).toBeUndefined();
  });
});

export * from './survey-definition';
export * from './survey-answers';

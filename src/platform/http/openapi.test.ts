import { createOpenApiRegistry } from './openapi';

describe('OpenAPI registry', () => {
  it('when modules add operations and schemas, then the document holds them, paths sorted', () => {
    const registry = createOpenApiRegistry({ title: 'Agora', version: '1.0.0' });
    registry.addOperation('/api/v1/surveys', 'get', { summary: 'Surveys' });
    registry.addOperation('/api/v1/consultations', 'get', { summary: 'List' });
    registry.addSchema('Thing', { type: 'object' });
    const doc = registry.document('https://engage.example.ca') as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
      servers: unknown;
    };
    expect(Object.keys(doc.paths)).toEqual(['/api/v1/consultations', '/api/v1/surveys']);
    expect(doc.components.schemas).toHaveProperty('Thing');
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.servers).toEqual([{ url: 'https://engage.example.ca' }]);
  });

  it('when the same operation or schema is added twice, then it throws', () => {
    const registry = createOpenApiRegistry({ title: 'Agora', version: '1.0.0' });
    registry.addOperation('/a', 'get', {});
    expect(() => registry.addOperation('/a', 'get', {})).toThrow('already registered');
    expect(() => registry.addOperation('/a', 'post', {})).not.toThrow();
    registry.addSchema('S', {});
    expect(() => registry.addSchema('S', {})).toThrow('already registered');
  });
});

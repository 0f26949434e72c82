import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { extractRequestSpec, fakeRoutes, findOperation, findSpecPath, readSpec } from '../../scripts/extract-discord-spec.js';
import type { OpenApiDocument, OpenApiOperation } from '../../scripts/extract-discord-spec.js';
import { DISCORD_REQUEST_SPEC } from '../../src/testing/spec/discord-requests.js';
import { validateSchema } from '../../src/testing/spec/json-schema.js';
import type { JsonSchema } from '../../src/testing/spec/json-schema.js';
import { validateRequest } from '../../src/testing/spec/requests.js';
import type { RecordedRequest } from '../../src/testing/index.js';
import { componentFindings, placeDispatch, placeResponse, shapeFindings } from './api-shapes.js';
import type { Placed } from './api-shapes.js';
import { runTraffic } from './conformance-traffic.js';
import type { Traffic } from './conformance-traffic.js';

const SPEC_PATH = findSpecPath();
const SKIPPED =
  "Discord's OpenAPI description (shared/data/discord-openapi.json beside the checkout) is not here; " +
  'the checks against it were skipped, the discord-api-types checks still ran';

/**
 * A standing check of the fake against Discord's published description and discord-api-types: a representative
 * session of a real discord.js bot runs against the fake, and every request, answer and dispatch it carried is read
 * against what Discord documents. The counts are printed as diagnostics.
 */
describe('the fake Discord answers and refuses as Discord documents', () => {
  let traffic: Traffic;
  let document: OpenApiDocument | null = null;

  before(async () => {
    traffic = await runTraffic();
    if (SPEC_PATH !== null) document = readSpec(SPEC_PATH);
  });

  test('the session ran through: no step failed, no route was unmodelled, nothing broke inside the fake', (t) => {
    t.diagnostic(`${traffic.requests.length} REST requests, ${traffic.dispatches.length} gateway dispatches`);
    assert.deepEqual(traffic.failedSteps, []);
    assert.deepEqual(
      traffic.unhandled.map((r) => `${r.method} ${r.path}`),
      [],
    );
    assert.deepEqual(traffic.internalErrors, []);
  });

  test("every request body and query the fake took is one Discord's description accepts", (t) => {
    if (!document) {
      t.skip(SKIPPED);
      return;
    }
    const violations: string[] = [];
    let checked = 0;
    const operations = new Set<string>();
    for (const request of traffic.requests) {
      const operation = request.route === null ? undefined : findOperation(document, request.method, request.route);
      if (!operation || request.route === null) continue;
      operations.add(operation.operationId);
      checked++;
      const errors = validateRequest(
        {
          operations: { [`${request.method} ${specTemplate(request.route)}`]: requestSchemas(operation) },
          schemas: document.components.schemas,
        },
        request.method,
        request.route,
        request.body,
        new URLSearchParams(request.query),
      );
      const accepted = request.status < 400;
      if (accepted && errors.length > 0) violations.push(`${describeRequest(request)} was accepted but breaks ${formatErrors(errors)}`);
    }
    t.diagnostic(`requests checked: ${checked}; operations covered: ${operations.size}; violations: ${violations.length}`);
    assertNone(t, violations);
  });

  test("every answer the fake gave matches the description's schema for its status", (t) => {
    if (!document) {
      t.skip(SKIPPED);
      return;
    }
    const violations: string[] = [];
    let checked = 0;
    const operations = new Set<string>();
    for (const request of traffic.requests) {
      const operation = request.route === null ? undefined : findOperation(document, request.method, request.route);
      if (!operation || request.status === 0) continue;
      operations.add(operation.operationId);
      const expected = responseSchema(document, operation, request.status);
      checked++;
      if (expected === undefined) {
        violations.push(`${describeRequest(request)}: the description has no ${request.status} answer for ${operation.operationId}`);
        continue;
      }
      if (expected === null) {
        if (request.response !== undefined) violations.push(`${describeRequest(request)}: a body where the description has none`);
        continue;
      }
      const errors = validateSchema(expected, request.response, document.components.schemas, { coerce: false });
      if (errors.length > 0) violations.push(`${describeRequest(request)} answered ${request.status}: ${formatErrors(errors)}`);
    }
    t.diagnostic(`responses checked: ${checked}; operations covered: ${operations.size}; violations: ${violations.length}`);
    assertNone(t, violations);
  });

  test('every gateway dispatch carries what the matching objects of the description require', (t) => {
    if (!document) {
      t.skip(SKIPPED);
      return;
    }
    const violations: string[] = [];
    let checked = 0;
    for (const placed of placedDispatches(traffic)) {
      if (!placed.shape.schema) continue;
      checked++;
      const errors = validateSchema({ $ref: `#/components/schemas/${placed.shape.schema}` }, placed.value, document.components.schemas, {
        coerce: false,
      });
      if (errors.length > 0) violations.push(`${placed.where} (${placed.shape.schema}): ${formatErrors(errors)}`);
    }
    t.diagnostic(`dispatched objects checked: ${checked}; violations: ${violations.length}`);
    assertNone(t, violations);
  });

  test('the request schemas the fake enforces are those of the description, for every route it serves', (t) => {
    if (!document) {
      t.skip(SKIPPED);
      return;
    }
    assert.ok(
      isDeepStrictEqual(DISCORD_REQUEST_SPEC, extractRequestSpec(document, fakeRoutes())),
      'src/testing/spec/discord-requests.ts is stale: run npx tsx scripts/extract-discord-spec.ts',
    );
    const outside = fakeRoutes().filter(({ method, template }) => !findOperation(document as OpenApiDocument, method, template));
    t.diagnostic(
      `routes served: ${fakeRoutes().length}; outside the description: ${outside.map((r) => `${r.method} ${r.template}`).join(', ')}`,
    );
    assert.deepEqual(
      outside.map((r) => `${r.method} ${r.template}`),
      [],
    );
  });

  test('every dispatch and answer carries the fields discord-api-types requires, and no field its type leaves out', (t) => {
    const placed = [...placedDispatches(traffic), ...traffic.requests.flatMap((request, i) => placeResponse(request, `requests.${i}`))];
    const findings = placed.flatMap(shapeFindings);
    for (const { where, value } of placed)
      if (typeof value === 'object' && value !== null && 'components' in value)
        findings.push(...componentFindings(`${where}.components`, value.components));
    t.diagnostic(`objects checked against discord-api-types: ${placed.length}; findings: ${findings.length}`);
    assertNone(t, findings);
  });
});

/**
 * Fails with every violation counted by kind (indices and ids folded), so a broken class reads as one line with its
 * count, then the first examples in full.
 */
function assertNone(t: TestContext, violations: readonly string[]): void {
  if (violations.length === 0) return;
  const kinds = new Map<string, number>();
  for (const violation of violations) {
    const kind = violation.replace(/\d+/g, 'N');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const summary = [...kinds].sort((a, b) => b[1] - a[1]).map(([kind, count]) => `${count} x ${kind}`);
  t.diagnostic(`${violations.length} violations in ${kinds.size} kinds`);
  assert.fail(`${violations.length} violations in ${kinds.size} kinds:\n${summary.join('\n')}`);
}

function placedDispatches(traffic: Traffic): Placed[] {
  return traffic.dispatches.flatMap(({ t, d }, i) => placeDispatch(t, d, `${t}#${i}`));
}

function specTemplate(template: string): string {
  return template.replace(/:([a-z_]+)/g, '{$1}');
}

function requestSchemas(operation: OpenApiOperation): { id: string; body?: JsonSchema; query?: Record<string, JsonSchema> } {
  const body = operation.requestBody?.content?.['application/json']?.schema;
  const query = (operation.parameters ?? []).filter((p) => p.in === 'query' && p.schema);
  return {
    id: operation.operationId,
    ...(body ? { body } : {}),
    ...(query.length > 0 ? { query: Object.fromEntries(query.map((p) => [p.name, p.schema as JsonSchema])) } : {}),
  };
}

/** The schema of an answer by status (`404` falls under `4XX`); null for an answer without a body, undefined for none. */
function responseSchema(document: OpenApiDocument, operation: OpenApiOperation, status: number): JsonSchema | null | undefined {
  const entry = operation.responses[String(status)] ?? operation.responses[`${String(status)[0] ?? ''}XX`];
  if (!entry) return undefined;
  const response = entry.$ref ? document.components.responses?.[entry.$ref.split('/').pop() ?? ''] : entry;
  return response?.content?.['application/json']?.schema ?? null;
}

function describeRequest(request: RecordedRequest): string {
  return `${request.method} ${request.path}${request.query ? `?${request.query}` : ''}`;
}

function formatErrors(errors: readonly { path: string; code: string; message: string }[]): string {
  const shown = errors.slice(0, 6).map((e) => `${e.path} ${e.code} (${e.message})`);
  return shown.join('; ') + (errors.length > shown.length ? `; and ${errors.length - shown.length} more` : '');
}

// Every message a mutation's schema can give is written for a person: a test walks each schema and
// fails on a validation with valibot's default message ("Invalid type: Expected …").
import { describe, expect, it } from 'vitest';
import { MUTATIONS } from './mutations';

type Node = { kind?: string; type?: string; message?: unknown; pipe?: Node[]; wrapped?: Node; entries?: Record<string, Node>; item?: Node; options?: unknown[] };

/** Paths of every schema or validation in the tree that would answer with valibot's default message. */
function defaults(node: Node, path: string, out: string[]) {
  const own = (n: Node, where: string) => {
    if ((n.kind === 'schema' || n.kind === 'validation') && n.message === undefined && !['optional', 'nullable', 'nullish', 'unknown', 'any'].includes(n.type ?? '')) {
      out.push(`${where} (${n.type})`);
    }
  };
  own(node, path);
  for (const step of node.pipe?.slice(1) ?? []) own(step, `${path}|${step.type}`);
  if (node.wrapped) defaults(node.wrapped, path, out);
  if (node.item) defaults(node.item, `${path}[]`, out);
  for (const [k, child] of Object.entries(node.entries ?? {})) defaults(child, path ? `${path}.${k}` : k, out);
  for (const o of node.options ?? []) if (o && typeof o === 'object') defaults(o as Node, path, out);
}

describe('mutation messages', () => {
  it('no mutation schema falls back to a default validator message', () => {
    const found: string[] = [];
    for (const def of MUTATIONS.values()) defaults(def.args as unknown as Node, def.name, found);
    expect(found).toEqual([]);
  });
});

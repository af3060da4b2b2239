import { describe, expect, it } from 'vitest';
import { authorize, callerFrom, parseGroups } from '#shared/http/caller.ts';

describe('caller and access', () => {
  it('reads the groups in every format API Gateway has been seen to use', () => {
    expect(parseGroups('dpo,client')).toEqual(['client', 'dpo']);
    expect(parseGroups('[dpo client]')).toEqual(['client', 'dpo']);
    expect(parseGroups('[dpo, moderator]')).toEqual(['moderator', 'dpo']);
    expect(parseGroups('dpo')).toEqual(['dpo']);
    expect(parseGroups('admin,superuser')).toEqual([]);
    expect(parseGroups(undefined)).toEqual([]);
  });

  it('takes the caller from the authorizer claims', () => {
    const event = { requestContext: { authorizer: { claims: { sub: 'u-1', 'cognito:groups': 'dpo' } } } };
    expect(callerFrom(event as never)).toEqual({ userId: 'u-1', roles: ['dpo'] });
    expect(callerFrom({ requestContext: { authorizer: null } } as never)).toBeUndefined();
  });

  it('lets the public in, asks others to sign in, and refuses the wrong role with 403', () => {
    expect(() => authorize({ kind: 'public' }, undefined)).not.toThrow();
    expect(() => authorize({ kind: 'authenticated' }, undefined)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => authorize({ kind: 'authenticated' }, { userId: 'u', roles: [] })).not.toThrow();
    const dpoOnly = { kind: 'role', roles: ['dpo'] } as const;
    expect(() => authorize(dpoOnly, { userId: 'u', roles: ['client', 'moderator'] })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => authorize(dpoOnly, { userId: 'u', roles: ['dpo'] })).not.toThrow();
    expect(() => authorize(dpoOnly, undefined)).toThrow(expect.objectContaining({ status: 401 }));
  });
});

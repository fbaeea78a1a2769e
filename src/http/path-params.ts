import { Type } from 'typebox';

/** `{id}` of a path naming one resource (store, installation…); bounded so a huge id is a 400. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/** `{teamId}` of a team's path: its id or, where the route allows, its slug. */
export const TeamIdParams = Type.Object({ teamId: Type.String({ minLength: 1, maxLength: 256 }) });

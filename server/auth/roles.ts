import { z } from 'zod';

/** viewer sees everything and changes nothing; performer has the stage controls; admin changes the system. */
export const ROLES = ['viewer', 'performer', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

import { z } from 'zod';
import { adminProcedure, router } from '../init';

export const auditRouter = router({
  list: adminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(500).default(100), before: z.number().int().positive().optional() }))
    .query(({ ctx, input }) => ctx.services.audit.list(input.limit, input.before)),
});

import { createCallerFactory, router } from './init';
import { audioRouter } from './routers/audio';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { systemRouter } from './routers/system';
import { tuningRouter } from './routers/tuning';

/** The console's API. app/ imports only this type, never server code. */
export const appRouter = router({
  auth: authRouter,
  audit: auditRouter,
  audio: audioRouter,
  system: systemRouter,
  tuning: tuningRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);

import { Router } from 'express';

/** The public front page. Later modules add what is open now and closing soon. */
export function homeRouter(): Router {
  const router = Router();
  /** GET / */
  router.get('/', (req, res) => {
    res.render('home/index', { title: req.t('home:title') });
  });
  return router;
}

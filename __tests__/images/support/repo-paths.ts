/** Where the image sources live, for the image tests. */
import * as path from 'node:path';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** docker/: the build context of all three images. */
export const DOCKER_DIR = path.join(REPO_ROOT, 'docker');

/** docker/api: the Go module (the api command and the shared healthcheck command). */
export const API_MODULE_DIR = path.join(DOCKER_DIR, 'api');

/** docker/frontend: nginx.conf, the Dockerfile and site/ (the static files). */
export const FRONTEND_DIR = path.join(DOCKER_DIR, 'frontend');

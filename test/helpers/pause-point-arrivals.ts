import { armPausePoint, type PausePoint } from '../../src/fault-injection.js';

/**
 * Arms `point` in this process and resolves once `count` creates have reached it (each one stays
 * paused there). The caller disarms it again (`armPausePoint(undefined, …)`) when it is done.
 */
export function armPausePointFor(point: PausePoint, count: number): Promise<void> {
  return new Promise((resolve) => {
    let reached = 0;
    armPausePoint(point, () => {
      reached += 1;
      if (reached === count) resolve();
    });
  });
}

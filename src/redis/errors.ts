import { LanternError } from '../errors/lantern-error.js';

/** `redisStore` was given a URL, which needs the `ioredis` package, and it is not installed. */
export class RedisMissingError extends LanternError<'LANTERN_ERR_REDIS_MISSING'> {
  constructor(options?: ErrorOptions) {
    super(
      'LANTERN_ERR_REDIS_MISSING',
      'lantern/redis connects with the ioredis package, which is not installed: npm install ioredis (or pass your own client)',
      options,
    );
  }
}

/** `redisStore` options no store could run with. */
export class RedisStoreOptionsError extends LanternError<'LANTERN_ERR_REDIS_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_REDIS_OPTIONS', `redisStore ${option}: ${problem}`);
  }
}

/** The bot of `npm run bench:sharding`: one shard, logged in to the fake Discord given as the first argument. */
import { Client } from '../src/index.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
await new Client({ logger: silent, syncCommands: false, discord: { rest: { api: process.argv[2] ?? '', offset: 0 } } }).start();

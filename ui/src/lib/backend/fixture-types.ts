// Compile-time guard against drift between the Rust config model and types.ts: `npm run check`
// type-checks this file against the JSON the Rust test writes from the real serialization.
//
// TypeScript widens the literals of an imported JSON file ("monitor" becomes string, 3 becomes
// number), so the fixture cannot satisfy `Config` as it is. `Widened<Config>` keeps every field and
// its structure but widens literal unions the same way; tag and enum values are then checked at run
// time by fixture.test.ts against the const lists in types.ts. `satisfies` on an imported value does
// no excess-property check, so `UnknownKeys` catches fields the Rust side has and TS does not.
import demo from './fixtures/demo-config.json';
import live from './fixtures/live-status.json';
import type { ConfigSnapshot, LiveStatus } from './types';

type Widened<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly (infer Item)[]
        ? Widened<Item>[]
        : T extends object
          ? { [K in keyof T]: Widened<T[K]> }
          : T;

// Keys of every member of a union, not just the shared ones (the variants of a tagged enum).
type AllKeys<T> = T extends unknown ? keyof T : never;
type ValueAt<T, K extends PropertyKey> = T extends unknown
  ? K extends keyof T
    ? T[K]
    : never
  : never;

// `unknown` (an open-ended value such as a load reason's details) accepts anything below it.
type Declared<T> = unknown extends T ? unknown : NonNullable<T>;

/** The dotted paths of keys in `Actual` that `Expected` does not declare; `never` when there are none. */
type UnknownKeys<Actual, Expected, Path extends string = ''> = unknown extends Expected
  ? never
  : Actual extends readonly (infer Item)[]
    ? UnknownKeys<Item, Expected extends readonly (infer ExpectedItem)[] ? ExpectedItem : never, `${Path}[]`>
    : Actual extends object
      ? {
          [K in keyof Actual & string]: K extends AllKeys<Expected>
            ? UnknownKeys<NonNullable<Actual[K]>, Declared<ValueAt<Expected, K>>, `${Path}.${K}`>
            : `${Path}.${K}`;
        }[keyof Actual & string]
      : never;

// An error here names the unknown field, e.g. `".devices[].driver.baud"' does not satisfy 'never'`.
type NoUnknownFields<Paths extends never> = Paths;

export type DemoConfigHasNoUnknownFields = NoUnknownFields<
  UnknownKeys<typeof demo, ConfigSnapshot['config']>
>;

/** The demo fixture, checked against the shape of `Config`. */
export const demoConfigShape = demo satisfies Widened<ConfigSnapshot['config']>;

export type LiveStatusHasNoUnknownFields = NoUnknownFields<UnknownKeys<typeof live, LiveStatus>>;

/** The live status fixture (src-tauri/src/commands/live.rs writes it), checked against `LiveStatus`. */
export const liveStatusShape = live satisfies Widened<LiveStatus>;

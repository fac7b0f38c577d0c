/** MovieLens-100k `u.data`: `user<TAB>item<TAB>rating<TAB>timestamp`, not sorted; sorted by time per user. */
import { readRatingsFile } from "./movielens.js";
import type { Reader } from "./common.js";

export const readMl100k: Reader = readRatingsFile("\t", "user TAB item TAB rating TAB timestamp");

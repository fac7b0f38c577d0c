/** `reccompile recommend`: the top-K items a finished run's model ranks after a history of item ids. */
import { prepareData } from "../data/prepare.js";
import { readItemMap, readTitles } from "../data/titles.js";
import { popularityScorer } from "../eval/popularity.js";
import { setKernelImpl } from "../kernels/select.js";
import { initBackend } from "../runtime/backend.js";
import type { ProgressStream } from "../runtime/progress.js";
import { UserError } from "../util/errors.js";
import { openRun, restoreModel } from "./restore.js";

export interface RecommendOptions {
  readonly runDir: string;
  /** Item ids of the run's data, oldest first. */
  readonly history: readonly string[];
  readonly k: number;
  /** A user id of the run's data: a model with a user table (`embedding users`) uses that user's row; without, none. */
  readonly user?: string;
  /** MovieLens movies.dat or u.item (or `id<TAB>title` lines), to name the items. */
  readonly titles?: string;
  /** Item id -> original id, when the data was renumbered. */
  readonly itemMap?: string;
  /** Notices (stderr in the CLI). */
  readonly log: ProgressStream;
}

export interface Recommendation {
  readonly rank: number;
  readonly item: string;
  readonly score: number;
  readonly title: string | null;
}

export const recommend = async (o: RecommendOptions): Promise<{ history: string[]; recommendations: Recommendation[] }> => {
  const restored = await openRun(o.runDir, "reccompile recommend", (text) => o.log.write(text));
  const internal = new Map(restored.idMaps.items.map((id, i) => [id, i] as const));
  const history = o.history.map((id) => {
    const i = internal.get(id);
    if (i === undefined || i === 0) throw new UserError(`reccompile recommend: item '${id}' in --history is not an item of the run's data`);
    return i;
  });
  let user = -1;
  if (o.user !== undefined) {
    user = restored.idMaps.users.indexOf(o.user);
    if (user < 0) throw new UserError(`reccompile recommend: user '${o.user}' in --user is not a user of the run's data`);
  }
  const titles = o.titles === undefined ? null : readTitles(o.titles);
  const itemMap = o.itemMap === undefined ? null : readItemMap(o.itemMap);
  const log = (line: string): void => { o.log.write(`${line}\n`); };
  await initBackend("auto", log);
  await setKernelImpl("auto", log);
  const model = restoreModel(restored);
  // The popularity baseline's scores are counts over the run's training split, so only it needs the data.
  const scorer = "params" in model ? model.scorer() : popularityScorer(prepareData(restored.source, restored.module.config.data).split);
  const scores = await scorer([Int32Array.from(history)], Int32Array.of(user));
  const numItems = restored.idMaps.items.length - 1;
  const order = Array.from({ length: numItems }, (_, i) => i + 1).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, o.k);
  const recommendations = order.map((item, r) => {
    const id = restored.idMaps.items[item]!;
    const titleKey = itemMap?.get(id) ?? id;
    return { rank: r + 1, item: id, score: scores[item]!, title: titles?.get(titleKey) ?? null };
  });
  if ("params" in model) model.dispose();
  return { history: history.map((i) => restored.idMaps.items[i]!), recommendations };
};

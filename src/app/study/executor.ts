/**
 * Where a study's runs run, as every study command chooses it (`reccompile ablate --run`,
 * `npm run reproduce`): `local` (worker processes on this machine, the default) or `slurm` (a job
 * array on a cluster, study/slurm.ts). The flags' mistakes are the user's: a Slurm flag without
 * `--executor slurm`, `--detach` or `--retries` with the local executor, no `sbatch` on PATH.
 */
import { UserError } from "../../util/errors.js";
import { localRunner, type LocalRunnerConfig } from "./local.js";
import type { StudyRunner } from "./runner.js";
import { onPath, slurmRunner } from "./slurm.js";
import type { SlurmResources } from "./slurm_script.js";

export const EXECUTORS = ["local", "slurm"] as const;
export type Executor = (typeof EXECUTORS)[number];

export interface ExecutorChoice {
  readonly executor: Executor;
  /** The `--slurm-*` flags that were given. */
  readonly slurm: SlurmResources;
  readonly detach: boolean;
  readonly retries?: number;
  /** The command line, for the sbatch script's header. */
  readonly origin: string;
}

/** The `--slurm-*` flag of each resource, for messages. */
const SLURM_FLAGS: Readonly<Record<keyof SlurmResources, string>> = {
  partition: "--slurm-partition", time: "--slurm-time", cpusPerTask: "--slurm-cpus-per-task", mem: "--slurm-mem",
  gpus: "--slurm-gpus", extra: "--slurm-extra", warnSeconds: "--slurm-signal-seconds",
};

/** The study runner for `choice`; `command` names the command in messages. */
export const studyRunner = (command: string, choice: ExecutorChoice, local: LocalRunnerConfig = {}): StudyRunner => {
  if (choice.executor === "local") {
    const given = (Object.keys(choice.slurm) as (keyof SlurmResources)[]).filter((k) => choice.slurm[k] !== undefined);
    if (given.length > 0) throw new UserError(`${command}: ${given.map((k) => SLURM_FLAGS[k]).join(", ")} only appl${given.length === 1 ? "ies" : "y"} with --executor slurm`);
    if (choice.detach) throw new UserError(`${command}: --detach only applies with --executor slurm (local runs end with the command)`);
    if (choice.retries !== undefined) throw new UserError(`${command}: --retries only applies with --executor slurm`);
    return localRunner(local);
  }
  if (!onPath("sbatch")) throw new UserError(`${command}: --executor slurm needs sbatch on PATH (run it on a Slurm login node; scripts/slurm-local.sh starts a one-node cluster here)`);
  if (choice.slurm.time !== undefined && !/^(\d+-)?\d+(:\d+){0,2}$/.test(choice.slurm.time)) {
    throw new UserError(`${command}: --slurm-time must be minutes, [H]H:MM:SS or D-HH[:MM[:SS]], got '${choice.slurm.time}'`);
  }
  return slurmRunner({ resources: choice.slurm, detach: choice.detach, retries: choice.retries, origin: choice.origin });
};

/**
 * The node build of tfjs-core (its package "main") registers no gradients; only its ESM dist does,
 * in a form Node's own ESM loader cannot resolve (extensionless imports). Loaded through `require`,
 * which tsx's hook (tests, `npx tsx`) transforms and resolves CJS-style, the configs land in the
 * registry that every copy of tfjs-core shares (a global). Where that fails (plain `node` on
 * compiled output), @tensorflow/tfjs, when installed, registers them from its own CJS bundle.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

let registered = false;

export const registerGradients = (): void => {
  if (registered) return;
  const errors: string[] = [];
  for (const mod of ["@tensorflow/tfjs-core/dist/register_all_gradients.js", "@tensorflow/tfjs"]) {
    try {
      require(mod);
      registered = true;
      return;
    } catch (e) {
      errors.push(`${mod}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(`could not register the tfjs gradient functions (${errors.join("; ")}); run under tsx or install @tensorflow/tfjs`);
};

registerGradients();

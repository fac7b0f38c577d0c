import { generateCstDts } from "chevrotain";
import { recParser } from "../../src/lang/parser.js";

const HEADER = "// Generated from the grammar in parser.ts by test/refresh-golden.ts; test/lang/cst.spec.ts keeps it in sync.\n";

/** The CST type declarations for the current grammar, exactly as `cst.ts` must contain them. */
export const generateCstTypes = (): string => HEADER + generateCstDts(recParser.getGAstProductions(), { visitorInterfaceName: "RecCstVisitor" });

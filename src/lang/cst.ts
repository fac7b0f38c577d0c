// Generated from the grammar in parser.ts by test/refresh-golden.ts; test/lang/cst.spec.ts keeps it in sync.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface FileCstNode extends CstNode {
  name: "file";
  children: FileCstChildren;
}

export type FileCstChildren = {
  importDecl?: ImportDeclCstNode[];
  blockDecl?: BlockDeclCstNode[];
  modelDecl?: ModelDeclCstNode[];
  section?: SectionCstNode[];
};

export interface ImportDeclCstNode extends CstNode {
  name: "importDecl";
  children: ImportDeclCstChildren;
}

export type ImportDeclCstChildren = {
  Import: IToken[];
  StringLit: IToken[];
};

export interface BlockDeclCstNode extends CstNode {
  name: "blockDecl";
  children: BlockDeclCstChildren;
}

export type BlockDeclCstChildren = {
  Block: IToken[];
  Identifier: IToken[];
  LParen: IToken[];
  params?: ParamsCstNode[];
  RParen: IToken[];
  layerBlock: LayerBlockCstNode[];
};

export interface ParamsCstNode extends CstNode {
  name: "params";
  children: ParamsCstChildren;
}

export type ParamsCstChildren = {
  param: ParamCstNode[];
  Comma?: IToken[];
};

export interface ParamCstNode extends CstNode {
  name: "param";
  children: ParamCstChildren;
}

export type ParamCstChildren = {
  Identifier: IToken[];
  Equals?: IToken[];
  value?: ValueCstNode[];
};

export interface ModelDeclCstNode extends CstNode {
  name: "modelDecl";
  children: ModelDeclCstChildren;
}

export type ModelDeclCstChildren = {
  Model: IToken[];
  Identifier: IToken[];
  layerBlock: LayerBlockCstNode[];
};

export interface LayerBlockCstNode extends CstNode {
  name: "layerBlock";
  children: LayerBlockCstChildren;
}

export type LayerBlockCstChildren = {
  LCurly: IToken[];
  layer?: LayerCstNode[];
  RCurly: IToken[];
};

export interface LayerCstNode extends CstNode {
  name: "layer";
  children: LayerCstChildren;
}

export type LayerCstChildren = {
  residualLayer?: ResidualLayerCstNode[];
  repeatLayer?: RepeatLayerCstNode[];
  outputLayer?: OutputLayerCstNode[];
  embeddingLayer?: EmbeddingLayerCstNode[];
  callLayer?: CallLayerCstNode[];
};

export interface ResidualLayerCstNode extends CstNode {
  name: "residualLayer";
  children: ResidualLayerCstChildren;
}

export type ResidualLayerCstChildren = {
  Residual: IToken[];
  layerBlock: LayerBlockCstNode[];
};

export interface RepeatLayerCstNode extends CstNode {
  name: "repeatLayer";
  children: RepeatLayerCstChildren;
}

export type RepeatLayerCstChildren = {
  Repeat: IToken[];
  repeatCount: RepeatCountCstNode[];
  layerBlock?: LayerBlockCstNode[];
  callLayer?: CallLayerCstNode[];
};

export interface RepeatCountCstNode extends CstNode {
  name: "repeatCount";
  children: RepeatCountCstChildren;
}

export type RepeatCountCstChildren = {
  NumberLit?: IToken[];
  Identifier?: IToken[];
};

export interface OutputLayerCstNode extends CstNode {
  name: "outputLayer";
  children: OutputLayerCstChildren;
}

export type OutputLayerCstChildren = {
  Output: IToken[];
  Identifier: IToken[];
  argList?: ArgListCstNode[];
};

export interface EmbeddingLayerCstNode extends CstNode {
  name: "embeddingLayer";
  children: EmbeddingLayerCstChildren;
}

export type EmbeddingLayerCstChildren = {
  Embedding: IToken[];
  Identifier: IToken[];
  argList?: ArgListCstNode[];
};

export interface CallLayerCstNode extends CstNode {
  name: "callLayer";
  children: CallLayerCstChildren;
}

export type CallLayerCstChildren = {
  Identifier: IToken[];
  argList?: ArgListCstNode[];
};

export interface ArgListCstNode extends CstNode {
  name: "argList";
  children: ArgListCstChildren;
}

export type ArgListCstChildren = {
  LParen: IToken[];
  arg?: ArgCstNode[];
  Comma?: IToken[];
  RParen: IToken[];
};

export interface ArgCstNode extends CstNode {
  name: "arg";
  children: ArgCstChildren;
}

export type ArgCstChildren = {
  Identifier?: IToken[];
  Colon?: IToken[];
  value: ValueCstNode[];
};

export interface SectionCstNode extends CstNode {
  name: "section";
  children: SectionCstChildren;
}

export type SectionCstChildren = {
  Identifier: IToken[];
  LCurly: IToken[];
  entry?: EntryCstNode[];
  RCurly: IToken[];
};

export interface EntryCstNode extends CstNode {
  name: "entry";
  children: EntryCstChildren;
}

export type EntryCstChildren = {
  Identifier: IToken[];
  Colon?: IToken[];
  value?: ValueCstNode[];
  argList?: ArgListCstNode[];
};

export interface ValueCstNode extends CstNode {
  name: "value";
  children: ValueCstChildren;
}

export type ValueCstChildren = {
  NumberLit?: IToken[];
  StringLit?: IToken[];
  list?: ListCstNode[];
  nameValue?: NameValueCstNode[];
};

export interface NameValueCstNode extends CstNode {
  name: "nameValue";
  children: NameValueCstChildren;
}

export type NameValueCstChildren = {
  Identifier: IToken[];
  argList?: ArgListCstNode[];
  At?: IToken[];
  NumberLit?: IToken[];
};

export interface ListCstNode extends CstNode {
  name: "list";
  children: ListCstChildren;
}

export type ListCstChildren = {
  LBracket: IToken[];
  value?: ValueCstNode[];
  Comma?: IToken[];
  RBracket: IToken[];
};

export interface RecCstVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  file(children: FileCstChildren, param?: IN): OUT;
  importDecl(children: ImportDeclCstChildren, param?: IN): OUT;
  blockDecl(children: BlockDeclCstChildren, param?: IN): OUT;
  params(children: ParamsCstChildren, param?: IN): OUT;
  param(children: ParamCstChildren, param?: IN): OUT;
  modelDecl(children: ModelDeclCstChildren, param?: IN): OUT;
  layerBlock(children: LayerBlockCstChildren, param?: IN): OUT;
  layer(children: LayerCstChildren, param?: IN): OUT;
  residualLayer(children: ResidualLayerCstChildren, param?: IN): OUT;
  repeatLayer(children: RepeatLayerCstChildren, param?: IN): OUT;
  repeatCount(children: RepeatCountCstChildren, param?: IN): OUT;
  outputLayer(children: OutputLayerCstChildren, param?: IN): OUT;
  embeddingLayer(children: EmbeddingLayerCstChildren, param?: IN): OUT;
  callLayer(children: CallLayerCstChildren, param?: IN): OUT;
  argList(children: ArgListCstChildren, param?: IN): OUT;
  arg(children: ArgCstChildren, param?: IN): OUT;
  section(children: SectionCstChildren, param?: IN): OUT;
  entry(children: EntryCstChildren, param?: IN): OUT;
  value(children: ValueCstChildren, param?: IN): OUT;
  nameValue(children: NameValueCstChildren, param?: IN): OUT;
  list(children: ListCstChildren, param?: IN): OUT;
}

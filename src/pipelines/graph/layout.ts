import dagre from '@dagrejs/dagre';

import { IPipelineGraph } from '../../core/pipelines/types';

export interface ILaidOutGraph {
  width: number;
  height: number;
  nodes: {
    name: string;
    type: string;
    displayName?: string;
    x: number;
    y: number;
    width: number;
    height: number;
  }[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 44;

/** Lay a pipeline graph out top-to-bottom with dagre (Sugiyama layering). */
export function layoutGraph(graph: IPipelineGraph): ILaidOutGraph {
  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir: 'TB',
    nodesep: 24,
    ranksep: 36,
    marginx: 16,
    marginy: 16
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    g.setNode(node.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) {
    if (g.hasNode(edge.from) && g.hasNode(edge.to)) {
      g.setEdge(edge.from, edge.to);
    }
  }
  dagre.layout(g);
  const info = g.graph();
  return {
    width: info.width ?? 0,
    height: info.height ?? 0,
    nodes: graph.nodes.map(node => {
      const n = g.node(node.name);
      return {
        ...node,
        x: n.x - NODE_WIDTH / 2,
        y: n.y - NODE_HEIGHT / 2,
        width: NODE_WIDTH,
        height: NODE_HEIGHT
      };
    }),
    edges: g
      .edges()
      .map(e => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] }))
  };
}

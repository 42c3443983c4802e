'use client';

import { useMemo, useState } from 'react';
import { DataState } from '@/components/ui/data-state';
import { LiveBadge } from '@/components/ui/live-badge';
import { usePolling } from '@/hooks/use-polling';
import { formatTime } from '@/lib/format';

interface SysSnapshot {
  node: string;
  at: string;
  topics: Record<string, string>;
}

interface TreeNode {
  name: string;
  path: string;
  value?: string;
  children: Map<string, TreeNode>;
}

function buildTree(topics: Record<string, string>, filter: string): TreeNode {
  const root: TreeNode = { name: '', path: '', children: new Map() };
  for (const [topic, value] of Object.entries(topics).sort(([a], [b]) => a.localeCompare(b))) {
    if (filter && !topic.toLowerCase().includes(filter.toLowerCase())) continue;
    let node = root;
    for (const level of topic.split('/')) {
      const path = node.path ? `${node.path}/${level}` : level;
      let child = node.children.get(level);
      if (!child) {
        child = { name: level, path, children: new Map() };
        node.children.set(level, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}

function Branch({ node }: { node: TreeNode }) {
  return (
    <ul>
      {[...node.children.values()].map((child) =>
        child.children.size === 0 ? (
          <li key={child.path} className="leaf">
            <span title={child.path}>{child.name}</span>
            <span className="leaf-value" data-topic={child.path}>
              {child.value}
            </span>
          </li>
        ) : (
          <li key={child.path}>
            <details open>
              <summary>
                {child.name}
                {child.value !== undefined ? <span className="leaf-value"> {child.value}</span> : null}
              </summary>
              <Branch node={child} />
            </details>
          </li>
        ),
      )}
    </ul>
  );
}

/** The broker's latest $SYS snapshot as a browsable tree, refreshed every 2 s. */
export function SysTree() {
  const snapshot = usePolling<SysSnapshot>('/bff/stats/sys', 2000);
  const [filter, setFilter] = useState('');
  const topics = snapshot.data?.topics;
  const tree = useMemo(() => buildTree(topics ?? {}, filter), [topics, filter]);
  return (
    <>
      <div className="toolbar">
        <label className="field field-inline">
          <span>Topic contains</span>
          <input value={filter} onChange={(event) => setFilter(event.target.value)} />
        </label>
        <span className="muted">
          {snapshot.data ? `Node ${snapshot.data.node}, published ${formatTime(snapshot.data.at)}` : ''} <LiveBadge updatedAt={snapshot.updatedAt} failing={Boolean(snapshot.problem)} />
        </span>
      </div>
      <section className="panel tree" data-testid="sys-tree">
        <DataState loading={snapshot.loading} problem={snapshot.problem} empty={tree.children.size === 0} emptyText={filter ? 'No $SYS topic matches.' : 'The broker has not published $SYS yet.'}>
          <Branch node={tree} />
        </DataState>
      </section>
    </>
  );
}

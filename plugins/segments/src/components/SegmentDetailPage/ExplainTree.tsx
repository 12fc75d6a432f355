import CancelIcon from '@mui/icons-material/Cancel';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ExplainedNode } from '../../api';

function formatActual(node: { actual?: unknown; missing: boolean }) {
  if (node.missing) return 'missing';
  if (Array.isArray(node.actual)) return `[${node.actual.join(', ')}]`;
  return String(node.actual);
}

/** Pass or fail icon of a node. */
function Outcome(props: { passed: boolean }) {
  return props.passed ? (
    <CheckCircleIcon fontSize="small" color="success" titleAccess="passed" />
  ) : (
    <CancelIcon fontSize="small" color="error" titleAccess="failed" />
  );
}

/**
 * One level of an explained rule: each condition with the customer's value
 * and its outcome, groups nested; `missed` paths are highlighted.
 */
export function ExplainTree(props: {
  nodes: ExplainedNode[];
  logicalOperator: 'AND' | 'OR';
  missed?: string[];
}) {
  const { nodes, logicalOperator, missed = [] } = props;
  return (
    <Box component="ul" sx={{ listStyle: 'none', pl: 2, my: 0.5 }}>
      {nodes.map((node, i) => (
        <Box
          component="li"
          key={node.path}
          data-testid={`explain-${node.path}`}
        >
          {i > 0 && (
            <Typography variant="caption" color="text.secondary">
              {logicalOperator}
            </Typography>
          )}
          {node.type === 'group' ? (
            <>
              <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
                <Outcome passed={node.passed} />
                <Typography variant="body2">
                  {node.not ? 'NOT ' : ''}group ({node.logicalOperator})
                </Typography>
              </Box>
              <ExplainTree
                nodes={node.children}
                logicalOperator={node.logicalOperator}
                missed={missed}
              />
            </>
          ) : (
            <Box
              sx={{
                display: 'flex',
                alignItems: 'center',
                gap: 1,
                flexWrap: 'wrap',
                borderRadius: 1,
                px: 0.5,
                ...(missed.includes(node.path)
                  ? { bgcolor: 'warning.light', color: 'warning.contrastText' }
                  : {}),
              }}
              data-missed={missed.includes(node.path) || undefined}
            >
              <Outcome passed={node.passed} />
              <Typography variant="body2" sx={{ fontFamily: 'monospace' }}>
                {node.text}
              </Typography>
              <Typography variant="body2" color="inherit">
                — actual: <strong>{formatActual(node)}</strong>
                {node.not && ` (comparison ${node.holds ? 'holds' : 'fails'})`}
              </Typography>
            </Box>
          )}
        </Box>
      ))}
    </Box>
  );
}

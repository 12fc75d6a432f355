import { useLayoutEffect, useRef, useState } from 'react';
import { InfoCard } from '@backstage/core-components';
import type { SegmentResult } from '@internal/plugin-segments-common';
import { Line } from '@nivo/line';
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { DateTime } from 'luxon';
import { formatDateTime, formatNumber } from '../shared/format';

type Series = { id: string; data: { x: string; y: number; at: string }[] };

const HEIGHT = 260;
/** Width used where layout reports none (server-side and test DOMs). */
const FALLBACK_WIDTH = 600;

/**
 * Width of an element, following resizes. (Nivo's responsive wrapper is not
 * used: its auto-sizer does not load under Jest's CommonJS interop.)
 */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number>();
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    setWidth(element.offsetWidth || FALLBACK_WIDTH);
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(entries => {
      const next = Math.floor(entries[0].contentRect.width);
      if (next > 0) setWidth(next);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/**
 * Member count of a segment over its past runs (Nivo line chart).
 */
export function MemberCountChart(props: { results: SegmentResult[] }) {
  const theme = useTheme();
  const { ref, width } = useWidth();
  // Results come newest first; the chart reads left to right.
  const chronological = [...props.results].reverse();
  const series: Series[] = [
    {
      id: 'Members',
      data: chronological.map((r, i) => ({
        // A point scale keeps runs evenly spaced; the index keeps labels unique.
        x: `${i}|${DateTime.fromISO(r.executedAt).toFormat('MMM d HH:mm')}`,
        y: r.customerCount,
        at: r.executedAt,
      })),
    },
  ];
  const every = Math.ceil(chronological.length / 8);
  return (
    <InfoCard
      title="Members over time"
      subheader={`Last ${chronological.length} run(s)`}
      variant="gridItem"
    >
      {chronological.length < 2 && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          The trend appears after the segment has run twice.
        </Typography>
      )}
      <Box sx={{ height: HEIGHT }} ref={ref} data-testid="member-count-chart">
        {width && (
          <Line<Series>
            width={width}
            height={HEIGHT}
            data={series}
            margin={{ top: 16, right: 48, bottom: 48, left: 64 }}
            xScale={{ type: 'point' }}
            yScale={{ type: 'linear', min: 0, max: 'auto' }}
            curve="monotoneX"
            enableArea
            areaOpacity={0.12}
            colors={[theme.palette.primary.main]}
            pointSize={8}
            pointBorderWidth={2}
            pointColor={theme.palette.background.paper}
            pointBorderColor={{ from: 'seriesColor' }}
            useMesh
            axisLeft={{
              tickValues: 5,
              tickSize: 0,
              tickPadding: 8,
              format: v => formatNumber(Number(v)),
            }}
            axisBottom={{
              tickSize: 0,
              tickPadding: 10,
              format: v => {
                const [index, label] = String(v).split('|');
                return Number(index) % every === 0 ? label : '';
              },
            }}
            gridYValues={5}
            enableGridX={false}
            theme={{
              text: { fill: theme.palette.text.secondary, fontSize: 11 },
              grid: { line: { stroke: theme.palette.divider } },
              crosshair: { line: { stroke: theme.palette.text.secondary } },
            }}
            tooltip={({ point }) => (
              <Paper sx={{ px: 1.5, py: 1 }} elevation={3}>
                <Typography variant="body2" sx={{ fontWeight: 600 }}>
                  {formatNumber(point.data.y)} members
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {formatDateTime(point.data.at)}
                </Typography>
              </Paper>
            )}
          />
        )}
      </Box>
    </InfoCard>
  );
}

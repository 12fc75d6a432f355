import { alpha, Theme } from '@mui/material/styles';
import type { SystemStyleObject } from '@mui/system';

/**
 * Layout and look of the query builder under the Backstage theme (instead of
 * react-querybuilder's stylesheet): nested groups as tinted panels with an
 * indented body, rules as rows, drop indicators for drag and drop, and a red
 * outline on nodes with validation errors.
 */
export function ruleBuilderStyles(theme: Theme): SystemStyleObject<Theme> {
  const dropColor = theme.palette.primary.main;
  return {
    '& .ruleGroup': {
      display: 'flex',
      flexDirection: 'column',
      gap: 1,
      p: 1.5,
      border: `1px solid ${theme.palette.divider}`,
      borderRadius: 1,
      backgroundColor: alpha(
        theme.palette.primary.main,
        theme.palette.mode === 'dark' ? 0.08 : 0.03,
      ),
    },
    '& .ruleGroup .ruleGroup': {
      backgroundColor: alpha(
        theme.palette.primary.main,
        theme.palette.mode === 'dark' ? 0.12 : 0.05,
      ),
    },
    '& .ruleGroup-header': {
      display: 'flex',
      alignItems: 'center',
      flexWrap: 'wrap',
      gap: 1,
    },
    '& .ruleGroup-body': {
      display: 'flex',
      flexDirection: 'column',
      gap: 1,
      pl: 2,
      ml: 1,
      borderLeft: `2px solid ${theme.palette.divider}`,
      '&:empty': { display: 'none' },
    },
    '& .rule': {
      display: 'flex',
      alignItems: 'center',
      flexWrap: 'wrap',
      gap: 1,
      px: 1,
      py: 0.75,
      borderRadius: 1,
      border: `1px solid ${theme.palette.divider}`,
      backgroundColor: theme.palette.background.paper,
    },
    '& .segments-node--not.rule, & .segments-node--not.ruleGroup': {
      borderLeft: `3px solid ${theme.palette.error.light}`,
    },
    '& .segments-node--error.rule, & .segments-node--error.ruleGroup': {
      borderColor: theme.palette.error.main,
      boxShadow: `0 0 0 1px ${theme.palette.error.main}`,
    },
    '& .queryBuilder-dragHandle': {
      cursor: 'grab',
      color: theme.palette.text.secondary,
      display: 'inline-flex',
    },
    '& .queryBuilder-disabled .queryBuilder-dragHandle': {
      cursor: 'not-allowed',
      opacity: 0.5,
    },
    '& .dndDragging': { opacity: 0.5 },
    '& .dndHidden': { display: 'none' },
    '& .dndOver.rule, & .dndOver.ruleGroup-header': {
      borderBottom: `2px dashed ${dropColor}`,
    },
    '& .dndOver.dndCopy.rule, & .dndOver.dndCopy.ruleGroup-header': {
      borderBottomColor: theme.palette.success.main,
    },
    '& .dndGroup.rule.dndOver, & .dndGroup.ruleGroup:has(> .ruleGroup-header.dndOver)':
      {
        outline: `2px dashed ${theme.palette.secondary.main}`,
      },
    '& .dndDropNotAllowed': { cursor: 'not-allowed' },
  };
}

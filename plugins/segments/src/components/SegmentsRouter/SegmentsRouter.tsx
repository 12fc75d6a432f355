import { Route, Routes } from 'react-router-dom';
import { AuditPage } from '../AuditPage/AuditPage';
import { RuleEditorPage } from '../RuleEditorPage/RuleEditorPage';
import { SegmentDetailPage } from '../SegmentDetailPage/SegmentDetailPage';
import { SegmentsListPage } from '../SegmentsListPage/SegmentsListPage';

/**
 * The pages of the Segments plugin under its mount point.
 * @public
 */
export function SegmentsRouter() {
  return (
    <Routes>
      <Route path="/" element={<SegmentsListPage />} />
      <Route path="/new" element={<RuleEditorPage />} />
      <Route path="/audit" element={<AuditPage />} />
      <Route path="/:id/edit" element={<RuleEditorPage />} />
      <Route path="/:id" element={<SegmentDetailPage />} />
    </Routes>
  );
}

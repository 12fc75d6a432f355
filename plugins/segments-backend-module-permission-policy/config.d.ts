export interface Config {
  segments?: {
    /**
     * Roles of the Segments role policy: entity refs of groups (or users) per
     * role, e.g. `admin: [group:default/segment-admins]`. A user holds a role
     * when their user ref or one of their groups (ownership refs) is listed;
     * the highest role wins. Users without a role are denied every Segments
     * permission.
     */
    roles?: {
      /** Everything, including personal data, customer erasure, RFM settings and the audit trail. */
      admin?: string[];
      /** Create segments; change, delete and run their own; members of their own or shared segments. */
      editor?: string[];
      /** Read segments shared with their groups and their results; no personal data. */
      viewer?: string[];
      /** Decision for permissions of other plugins (catalog, ...): `allow` (default) or `deny`. */
      otherPermissions?: 'allow' | 'deny';
    };
  };
}

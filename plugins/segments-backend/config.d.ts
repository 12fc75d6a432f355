export interface Config {
  /** Configuration of the Segments plugin. */
  segments?: {
    demoData?: {
      /** Load synthetic demo customers and orders when the customers table is empty. */
      enabled?: boolean;
      /** How many demo customers to generate (default 20000). */
      customers?: number;
    };
    results?: {
      /** Results (and their change lists) kept per segment (default 50). */
      retention?: number;
    };
  };
}

/** The published version of the stackfeed packages (kept equal to package.json by a test). */
export const VERSION = '0.1.0';

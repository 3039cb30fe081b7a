export { displayBundle, setDisplaySink, canDisplay, newDisplayId, escapeHtml } from "./display.js";
export type { MimeBundle, DisplayRequest, DisplaySink } from "./display.js";
export { imageGridBundle, showImageGrid } from "./images.js";
export { isCiSize, size, CI_SIZE_VARIABLE } from "./env.js";

export { encodePng } from "./png.js";
export { imageGridInfo } from "./image-grid.js";
export type { ImageGridInfo, ImageGridOptions } from "./image-grid.js";

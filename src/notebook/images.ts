import type { ImageSet } from "../data/types.js";
import { imageGridInfo, type ImageGridOptions } from "../plot/image-grid.js";
import { encodePng } from "../plot/png.js";
import { displayBundle, escapeHtml, type MimeBundle } from "./display.js";
import { checkImageSet } from "../data/splits.js";

/** The bundle for an image grid: PNG, an HTML figure with the class of each row, and text. */
export function imageGridBundle(set: ImageSet, options: ImageGridOptions = {}): MimeBundle {
  checkImageSet("set", set);
  const info = imageGridInfo(set, options);
  const png = Buffer.from(encodePng(info.width, info.height, info.rgb)).toString("base64");
  const rows: string[] = [];
  for (let r = 0; r < info.rows; r++) {
    rows.push(
      info.labels
        .slice(r * info.columns, (r + 1) * info.columns)
        .map((l) => info.classNames[l] ?? String(l))
        .join(" | "),
    );
  }
  const text = `${info.indices.length} images of ${set.source} (${set.shape[1]}x${set.shape[2]}x${set.shape[3]}); labels by row:\n${rows.join("\n")}`;
  const html =
    `<figure style="margin:0"><img alt="${escapeHtml(text)}" src="data:image/png;base64,${png}" style="image-rendering:pixelated"/>` +
    `<figcaption style="font-size:0.85em;color:#555">${rows.map((r, i) => `row ${i + 1}: ${escapeHtml(r)}`).join("<br/>")}</figcaption></figure>`;
  // The PNG travels once, inside the HTML figure: every front end we target renders text/html.
  return { "text/html": html, "text/plain": text };
}

/** Show a grid of images (stratified sample by default) in the notebook. */
export function showImageGrid(set: ImageSet, options: ImageGridOptions = {}): void {
  checkImageSet("set", set);
  displayBundle(imageGridBundle(set, options));
}

import * as fs from "fs";
import * as path from "path";

/** The folder that holds what runs inside the containers (the app, the check, the Postgres init). */
export const CONTAINER_SRC_DIR = path.resolve(__dirname, "..", "..", "container-src");

/** Reads a file under container-src/, to upload it into a container. */
export function readContainerSrc(relativePath: string): string {
    return fs.readFileSync(path.join(CONTAINER_SRC_DIR, relativePath), "utf8");
}

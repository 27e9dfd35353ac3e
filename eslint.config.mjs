// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", ".venv/", "container-src/", "tests/bench/"] },
    eslint.configs.recommended,
    tseslint.configs.recommended,
);

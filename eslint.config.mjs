// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "policy/bin/", ".venv/", "container-src/", "tests/python/", "tests/bench/"] },
    eslint.configs.recommended,
    tseslint.configs.recommended,
    {
        // Specs read registered inputs and request bodies, whose shapes are the providers' untyped wire format.
        files: ["tests/unit/**/*.ts", "tests/engine/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);

// What verify, scenario --wait and rehearse print: a table with aligned columns, a progress line
// rewritten in place on a terminal (plain lines otherwise), and durations as people read them.

/** The rows under their header, each column as wide as its widest cell, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Seconds as "45 s", "3 min 05 s", "1 h 02 min". */
export function duration(seconds: number): string {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

export interface Output {
    write(text: string): unknown;
    isTTY?: boolean;
}

/**
 * One status line. On a terminal each update rewrites it in place (carriage return, erase line);
 * elsewhere (a pipe, a CI log) each changed text is a line of its own, and a repeat is not printed.
 */
export class ProgressLine {
    private shown: string | undefined;

    constructor(private readonly out: Output) {}

    update(text: string): void {
        if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}`);
        else if (text !== this.shown) this.out.write(`${text}\n`);
        this.shown = text;
    }

    /** Ends the line: on a terminal the last text stays and the cursor moves to the next line. */
    done(): void {
        if (this.out.isTTY && this.shown !== undefined) this.out.write("\n");
        this.shown = undefined;
    }
}

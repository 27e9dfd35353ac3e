// The stack's Datadog provider: its apiUrl, when set, is https, or http on loopback (a local
// stand-in or proxy); the keys travel in its headers.
import { str } from "./inputs";
import { Rule } from "./rule";

const LOOPBACK_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

export const apiUrlHttps: Rule = {
    name: "datadog-api-url-https",
    description: "The Datadog provider's apiUrl, when set, is https (or http on loopback): the API and application keys go in its request headers.",
    enforcementLevel: "mandatory",
    types: ["pulumi:providers:datadog"],
    check(r, report) {
        const apiUrl = str(r.props.apiUrl);
        if (apiUrl === undefined || apiUrl === "") return;
        let url: URL;
        try {
            url = new URL(apiUrl);
        } catch {
            report(`provider ${r.name}: apiUrl "${apiUrl}" is not a URL. Set datadog:apiUrl to https://api.<site>/ or unset it.`);
            return;
        }
        if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.test(url.hostname))) return;
        report(`provider ${r.name}: apiUrl "${apiUrl}" would send the Datadog keys ${url.protocol === "http:" ? "unencrypted" : `over ${url.protocol}`}. Use https:// (http:// only to 127.0.0.1 or localhost).`);
    },
};

// Generated from packages/server/openapi.json by openapi-typescript: do not edit.
// Regenerate with `npm run openapi` (server document and SDK types) or `npm run sdk-types`.

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (the admin key; public with PERIODIC_METRICS_PUBLIC=true) */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Circles the key can see */
        get: operations["list_circles"];
        put?: never;
        /** Create a circle (platform admin key) */
        post: operations["create_circle"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an element (= ops/get) */
        get: operations["get_element"];
        put?: never;
        /** Create a child element under a project (= ops/create) */
        post: operations["create_child"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/ops/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Run statistics and health for a period (hour, day, week, month; default day)
         * @description Run statistics of the period from the run history, plus `quotas.circle`: for workers, memory_mb, browser_sessions and runs_in_flight what this circle holds now (`in_use`) and may hold (`limit`), and `waiting` (worker starts queued for room). A platform admin also gets `quotas.server`, the server-wide budget. Auth: read. Element types: circle.
         */
        get: operations["circle_stats_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/ops/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow the circle's events live (text/event-stream), resumable with Last-Event-ID
         * @description Every platform event of the circle — element.created/updated/meta_updated/state_changed/deleted/…, run.queued/started/succeeded/failed/…, cookie_jar.changed, websocket.connections, … — as `id`, `event` (the type) and `data` (the event as JSON) frames. `Last-Event-ID` replays the events after that id from the recent history (the last 1,000 events per circle, 15 minutes without Redis); an id no longer known gets one `reset` frame (refetch, then live events follow). api_key.* events reach keys with admin scope only. See docs/events.md. Auth: read. Element types: circle.
         */
        get: operations["circle_events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/ops/types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The element types that can be created in this circle, with their spec schemas
         * @description What a "new element" palette or form needs: each type’s name, description, symbol, category, form, states and its spec as JSON Schema. Auth: read. Element types: circle.
         */
        get: operations["circle_types_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/ops/api_keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the API keys of this circle (never their values)
         * @description Auth: admin. Element types: circle.
         */
        get: operations["circle_api_keys_get"];
        put?: never;
        /**
         * Create an API key for this circle
         * @description The key value is returned once and stored hashed. Scopes: read, write, execute, admin (admin implies all). Auth: admin. Element types: circle.
         */
        post: operations["circle_api_keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/ops/api_keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key; it stops working at once
         * @description Auth: admin. Element types: circle.
         */
        delete: operations["circle_api_key_revoke_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/get": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the element (GET on the element path does the same)
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_get_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/version": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Current version, or the history with ?history=true&limit=N (newest first, default 50)
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_version_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/schema": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The type’s operations as MCP tools (tools/list shape) and its spec schema
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_schema_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/intention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The element’s intention: direct, inherited from its ancestors and circle, and resolved
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_intention_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/readme": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The element’s README (empty content when none was written)
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_readme_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/readme_update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create or replace the element’s README (markdown)
         * @description Auth: write. Available on every element type.
         */
        post: operations["generic_readme_update_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a child element (POST to the parent path works too)
         * @description element_type and slug are required; name is derived from the slug when omitted. Auth: write. Available on every element type.
         */
        post: operations["generic_create_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/children": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List direct child elements
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_children_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update spec, name or intention (deep merge by default; a new version every time)
         * @description spec is deep-merged (lists replaced); {"spec":{...},"deep":false} replaces it wholesale; {"spec":{}} still records a version. expected_version gives 409 VERSION_CONFLICT when stale. Auth: write. Available on every element type.
         */
        patch: operations["generic_update_patch"];
        trace?: never;
    };
    "/api/{circle}/{element}/ops/update_meta": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Shallow-merge into meta (no new version)
         * @description Auth: write. Available on every element type.
         */
        patch: operations["generic_update_meta_patch"];
        trace?: never;
    };
    "/api/{circle}/{element}/ops/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore the spec, name and intention of an earlier version (snapshots the current state first)
         * @description Auth: admin. Available on every element type.
         */
        post: operations["generic_restore_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enable the element (idempotent)
         * @description Auth: admin. Available on every element type.
         */
        post: operations["generic_enable_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable the element (idempotent); its type operations are refused until enabled
         * @description Auth: admin. Available on every element type.
         */
        post: operations["generic_disable_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove exactly the cookie with this (name, domain, path)
         * @description domain is compared as written (a leading dot matters). cookies_version moves only when a cookie was removed. Auth: write. Element types: cookie-jar.
         */
        post: operations["cookie_jar_delete_post"];
        /**
         * Soft-delete the element (requires {"confirm": true}; refused while it has children or active runs)
         * @description Auth: admin. Available on every element type.
         */
        delete: operations["generic_delete_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/attach": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Attach this element (a modifier or resource) to a target element
         * @description Auth: write. Available on every element type.
         */
        post: operations["generic_attach_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/detach": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Detach this element from a target element
         * @description Auth: write. Available on every element type.
         */
        post: operations["generic_detach_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/attachments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Modifiers and resources attached to this element (is_modifier tells which)
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_attachments_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Elements this element is attached to
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_list_attachments_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/compose": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add modifiers by ref (slug, path or slug@version) and remove attachments by id, atomically
         * @description Auth: execute. Available on every element type.
         */
        post: operations["generic_compose_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/remove-modifier": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove an attachment from this element by attachment id
         * @description Auth: execute. Available on every element type.
         */
        post: operations["generic_remove-modifier_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/context": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Connected elements with their relation (contains, contained_by, attaches, attached_by)
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_context_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/tree": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Ancestors, nested children (default depth 3, max 10), attachments and subtree counts
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_tree_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/batch_stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Run statistics for each child plus a weighted aggregate
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_batch_stats_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Activity events, newest first (circles: the whole circle; projects: with their members)
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_activity_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a file of the element’s Source tree (empty content when it does not exist)
         * @description `path` is relative to the tree (`main.py`, `.periodic/spec.yaml`, `README.md`); `ref` a branch, tag or commit (default: draft). Text comes back as `utf8`, anything else as `base64`. Auth: read. Available on every element type.
         */
        get: operations["generic_source_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source/branches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The draft, demo and live branches, their commits, and what each is ahead of the next
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_source_branches_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Clone URL, checkout commands, the draft commit, Source health and warnings
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_source_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Promote draft → demo or demo → live (fast-forward only; a release tag on live)
         * @description Auth: write. Available on every element type.
         */
        post: operations["generic_source_promote_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Releases: the tags `v1`, `v2` … made by each promotion to live
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_source_versions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a branch’s tree: no runtime data, generated output, secrets, links or oversize files; a valid spec
         * @description Auth: read. Available on every element type.
         */
        post: operations["generic_source_validate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source/repair": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Find where draft and the element disagree and (with dry_run=false) commit the element’s state
         * @description Auth: write. Available on every element type.
         */
        post: operations["generic_source_repair_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/export/bundle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export the element as a git bundle (a circle: a JSON envelope of one bundle per element)
         * @description An element answers with a binary `git bundle` (`application/octet-stream`) of its Source repository: the draft, demo and live branches and the release tags, whole history; `git clone x.bundle` reads it. A circle answers with a JSON envelope `{format: "periodic.bundles.v1", circle, count, bundles: [{path, slug, element_type, id, bundle_base64}]}`, one bundle per element below it, containers first; `import_bundle` takes it as is. At most 67108864 bytes of bundles (413 `SOURCE_BUNDLE_TOO_LARGE`). Auth: read. Available on every element type.
         */
        get: operations["generic_export_bundle_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/import/bundle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import git bundles as elements of this circle or project (new ids)
         * @description Give `bundle_base64` (one bundle, as `export_bundle` made it) or the circle envelope (`bundles: [{path, bundle_base64}]`). Each bundle’s `.periodic/element.yaml` and tree at draft become an element with a new id, validated like `create`, its history kept (the "Created" commit builds on the imported draft; demo, live and tags come along). An element whose slug exists is skipped, or updated with `overwrite: true`. Answers `{imported, skipped, errors: [{slug, path, code, message}], elements}`. A bundle that is not base64, not a Git bundle, truncated or corrupt refuses the whole request (400 `SOURCE_BUNDLE_INVALID`, nothing imported). Auth: write. Available on every element type.
         */
        post: operations["generic_import_bundle_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/source/fixtures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry-run or apply the seed fixtures of a data element’s Source (.periodic/fixtures/)
         * @description Each manifest names an operation the type approves for fixtures (cookie jar: `set`, `import`; variable: `set`) and lists its inputs as `records`. Defaults to a dry run that validates every record; applying needs `dry_run: false` and `confirm: true`, refuses everything when one record is invalid, and calls the operation once per record with the caller’s scopes. Never reads runtime data. Auth: write. Available on every element type.
         */
        post: operations["generic_source_fixtures_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Promote a project dev → demo → live, freezing its members’ versions
         * @description Only projects (manifest-form elements) have environments. dev → demo freezes each member’s current draft commit into a snapshot; demo → live (admin scope) makes the demo snapshot live. Snapshots are kept in `spec.environments`; a member of a project with a live environment runs its frozen version unless a run names a `ref` (`environments/demo` runs the demo one). Auth: write. Available on every element type.
         */
        post: operations["generic_promote_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Run statistics and health for a period (hour, day, week, month; default day)
         * @description Auth: read. Available on every element type.
         */
        get: operations["generic_stats_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/value": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the value and the version it belongs to
         * @description Auth: read. Element types: variable.
         */
        get: operations["variable_value_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/set": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replace the value (a new version); optional expected_version for compare-and-set
         * @description Auth: write. Element types: variable, cookie-jar.
         */
        post: operations["variable_cookie_jar_set_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/invoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the handler with a JSON payload (async: 202 + invocation_id; ?wait_for_completion=N holds up to N s)
         * @description The body is the payload; a body of exactly {"payload"|"data"|"input": {...}} is unwrapped. Returns 200 with the result when the run ends within the wait, else 202 with Location; the run is never cancelled because a wait ended. ?ref= names the branch, tag (v1) or commit to run (default: live once promoted, else draft); the run records it as source_ref and source_commit. Auth: execute. Element types: python, workflow, agent.
         */
        post: operations["python_workflow_agent_invoke_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Invocation history, newest first, with a cursor
         * @description Auth: read. Element types: python.
         */
        get: operations["python_runs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/runs/{run_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One invocation with its input, output or error, its logs; streamed chunks while it runs
         * @description Auth: read. Element types: python.
         */
        get: operations["python_run_get_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/runs/{run_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a queued or running invocation (a running one has its worker stopped)
         * @description Auth: execute. Element types: python.
         */
        post: operations["python_run_cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Per-run stdout/stderr: one run with ?run_id=, else the latest runs
         * @description Auth: read. Element types: python.
         */
        get: operations["python_logs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/diagnostics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The sandbox executor, its guarantees and health, this element’s worker pools, and what its layers name now
         * @description Auth: read. Element types: python.
         */
        get: operations["python_diagnostics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/measure": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the handler synchronously and return its envelope inline (a run with trigger measure)
         * @description The handler gets the payload and its return value is the response body — no run id polling. The call is a run (trigger `measure`) with logs, limits, retries and metrics; x-run-id names it. A failing handler answers its error code (e.g. PYTHON_RUNTIME_ERROR) with details.run_id. ?ref= names the branch, tag or commit to run (default: live once promoted, else draft). Auth: execute. Element types: python.
         */
        post: operations["python_measure_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/apply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the handler synchronously and return its envelope inline (a run with trigger apply)
         * @description As measure, for rule engines that apply inputs (e.g. measurements and a profile) and return findings inline. The call is a run (trigger `apply`); x-run-id names it. ?ref= as for measure. Auth: execute. Element types: python.
         */
        post: operations["python_apply_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/runs/{run_id}/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow a run live (text/event-stream): log, chunk and end events
         * @description Auth: read. Element types: python.
         */
        get: operations["python_run_stream_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/build": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Build the dependency layer (force=true rebuilds); returns a build_id
         * @description Builds of the same requirement set happen once; an already-built layer is a cache hit. ?wait_for_completion=N waits up to N s. With spec.layers, `layers` lists the builds of their requirements (each readable with build_status). Auth: execute. Element types: python.
         */
        post: operations["python_build_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/build/{build_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Progress and pip output of a build
         * @description Auth: read. Element types: python.
         */
        get: operations["python_build_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the function’s pytest suite (spec.source.tests, or test_*.py beside a file/git source)
         * @description Returns test_run_id; ?wait_for_completion (body field) waits up to N s. test_filter is passed to pytest -k. Auth: execute. Element types: python.
         */
        post: operations["python_test_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/test/{test_run_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pass/fail counts and pytest output of a test run
         * @description Auth: read. Element types: python.
         */
        get: operations["python_test_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/scaffold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Write a starter main.py (spec.source.code) from a template for the element’s purpose
         * @description Inline sources only. Without `template` the intention picks one (stream, http, resources, transform, else basic). Existing non-empty code is kept unless `overwrite` is true. Creates a new version; the element becomes ready. Auth: write. Element types: python.
         */
        post: operations["python_scaffold_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/lifecycle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move the element to target_state (e.g. back to draft from error)
         * @description Allowed: error or deployed → draft or ready; ready → draft; draft → ready (with runnable source). deployed and error come from runs, disabled and deleted from their own operations. The same state is a no-op (changed: false). Auth: write. Element types: python.
         */
        post: operations["python_lifecycle_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Issue a one-use connect ticket: the client connecting with ?ticket= gets this connection_id, user and rooms
         * @description Upgrades are accepted at /ws/{circle}{path}; accept lets a backend that already authenticated a user hand the browser a URL carrying a ticket (valid ttl_ms, one use) instead of a shared token. The returned connection_id is the one the connection will have, so send/close/join can be prepared. Auth: execute. Element types: websocket.
         */
        post: operations["websocket_accept_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a JSON message to one connection (no connection_id: to the driven link)
         * @description Auth: execute. Element types: websocket.
         */
        post: operations["websocket_send_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/broadcast": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a JSON message to every connection, or to one room’s members
         * @description broadcast: true means the send path completed — the message was dispatched to every active subscriber — not that anyone received it. delivered_to is how many sockets it was written to (slow clients over connection.max_buffered_bytes are skipped and not counted), subscriber_count how many connections (or room members) there were. An empty audience (0 and 0) is a success: broadcasts are not queued for offline clients. Auth: execute. Element types: websocket.
         */
        post: operations["websocket_broadcast_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/close": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Close one connection with a close frame (code 1000 or 4000-4999, optional reason)
         * @description Auth: execute. Element types: websocket.
         */
        post: operations["websocket_close_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Presence: every open connection on every node (id, user, rooms, connected_at), and the driven link’s state
         * @description Auth: read. Element types: websocket.
         */
        get: operations["websocket_connections_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put a connection in a room
         * @description Auth: execute. Element types: websocket.
         */
        post: operations["websocket_join_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/leave": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Take a connection out of a room
         * @description Auth: execute. Element types: websocket.
         */
        post: operations["websocket_leave_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/receive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hand one inbound message to the message handler (a run) and return its output
         * @description Needs the `execute` scope; the element’s own spec.auth applies as well: send its token (or JWT) as `token` (it names the `user`). The handler gets {"event":"message","connection_id","user","rooms":[],"data"}. Auth: execute. Element types: websocket.
         */
        post: operations["websocket_receive_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/test-connection": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check the configuration locally (endpoint, auth, handlers, link URL) without connecting anywhere
         * @description Auth: execute. Element types: websocket.
         */
        post: operations["websocket_test_connection_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Launch a fresh headless Chromium session (empty profile); opens spec.start_url when set
         * @description A browser that is stopped or crashed can be started again; its cookies come back with load-cookies-from-jar. 409 BROWSER_ALREADY_RUNNING when live, 429 BROWSER_SESSION_LIMIT when the server is full. Auth: execute. Element types: browser.
         */
        post: operations["browser_start_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/navigate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Load a URL in the live session; returns the HTTP status, the final URL and the title
         * @description Auth: execute. Element types: browser.
         */
        post: operations["browser_navigate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End the session: Chromium exits and its profile directory is removed (idempotent)
         * @description Auth: execute. Element types: browser.
         */
        post: operations["browser_stop_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether a session is live on this server, the page it shows, and the captured cookie summary
         * @description Auth: read. Element types: browser.
         */
        get: operations["browser_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/capture-cookies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Read the live session’s cookies (CDP Storage.getCookies) into spec.cookies, sealed at rest
         * @description Returns counts and domains, never values. Cookies Chromium holds that the jar format cannot (e.g. for a public suffix) are listed in `skipped` by (name, domain, path) and reason. Auth: write. Element types: browser.
         */
        post: operations["browser_capture_cookies_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/cookies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The last captured cookies with their values (Chrome shape); write scope, like a jar’s export
         * @description Cookie values are session credentials, so a read-scoped key gets 403 here; `status` and `get` show counts and domains only. Auth: write. Element types: browser.
         */
        get: operations["browser_cookies_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/save-cookies-to-jar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replace the attached jar’s cookies with the live session’s (replace, not merge)
         * @description A merge would bring back cookies the site deleted at logout, so the jar ends up holding exactly the live set. With expected_version, a jar another writer changed since is refused with 409 JAR_VERSION_CONFLICT and nothing changes. The live set is also captured into spec.cookies. Auth: write. Element types: browser.
         */
        post: operations["browser_save_cookies_to_jar_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/load-cookies-from-jar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Load the attached jar’s cookies into the live session; reports applied, dropped (with reasons), evicted
         * @description Cookies are validated, set in batches over CDP (Network.setCookies) and one by one when Chromium rejects a batch, then read back. mode=replace (default) clears the session’s cookies first; merge keeps them. The session’s resulting cookies are captured into spec.cookies. Auth: write. Element types: browser.
         */
        post: operations["browser_load_cookies_from_jar_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Bulk-replace or merge the jar’s cookies (Chrome, Playwright or CDP shape)
         * @description mode=merge (default) upserts by (name, domain, path); mode=replace overwrites the jar. An invalid cookie refuses the whole import (JAR_INVALID_COOKIES) unless on_invalid=skip. More than 10 000 cookies after the write: JAR_CAPACITY_EXCEEDED, nothing changed. A Playwright storageState file can be posted as is (origins are ignored). Auth: write. Element types: cookie-jar.
         */
        post: operations["cookie_jar_import_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Return the cookies (with values), optionally domain-filtered, as Chrome, Playwright or CDP records
         * @description Needs write scope: values are live session credentials (a read key gets 403; use list for metadata). domain is an RFC 6265 suffix match (linkedin.com selects .linkedin.com and www.linkedin.com). include_expired=false drops cookies whose expirationDate is past. Auth: write. Element types: cookie-jar.
         */
        post: operations["cookie_jar_export_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/clear": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove all cookies, or all cookies of a domain (suffix match); the attachment stays
         * @description Auth: write. Element types: cookie-jar.
         */
        post: operations["cookie_jar_clear_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/prune": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Drop cookies whose expirationDate is in the past (session cookies stay)
         * @description Auth: write. Element types: cookie-jar.
         */
        post: operations["cookie_jar_prune_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Page through the cookies for UI tables (no values unless include_values=true)
         * @description Sorted by domain, name, path. include_values=true needs the write scope, like export (a read key gets 403). Auth: read. Element types: cookie-jar.
         */
        get: operations["cookie_jar_list_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What merging another jar’s or a browser’s cookies into this jar would change (counts by domain)
         * @description Pass exactly one of browser_id (its captured cookies) or other_jar_id (id or slug). added: only in the source; removed: only in this jar (what a replace would drop); changed: same (name, domain, path), different value or attributes. No values are returned. Auth: read. Element types: cookie-jar.
         */
        post: operations["cookie_jar_diff_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/describe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Jar metadata without the cookie payload (counts per domain, expiry range); never decrypts
         * @description Auth: read. Element types: cookie-jar.
         */
        get: operations["cookie_jar_describe_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/runs/{run_id}/steps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The task executions of one run: name, status, input, output, error, attempts, duration
         * @description Auth: read. Element types: workflow, agent.
         */
        get: operations["workflow_agent_steps_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/{circle}/{element}/ops/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a definition against the DSL without storing it
         * @description Auth: read. Element types: workflow.
         */
        post: operations["workflow_validate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Runs of every element in the key’s circle, newest first, with filters and a cursor */
        get: operations["runs_list"];
        put?: never;
        /**
         * Start a run of an element operation (python invoke)
         * @description Auth: execute on the target’s circle. 201 queued (no wait), 200 ended within wait_for_completion, 202 still running (Location, Retry-After); a wait never cancels the run. Idempotency-Key: same key + same body within 24 h returns the same run; another body → 422; while the first is being created → 409.
         */
        post: operations["runs_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run; ?expand=input,usage,execution,debug; ?wait=N long-polls until it ends */
        get: operations["runs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a queued or running run (else 409 RUN_NOT_CANCELLABLE) */
        post: operations["runs_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/rerun": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the same input again, on the latest or the original element version
         * @description Auth: execute on the run’s circle. Answers as POST /api/v1/runs does: 201 queued (no wait), 200 ended within wait_for_completion, 202 still running. The new run has trigger `rerun`, `trigger_info.rerun_of` and the source run’s `example_id`.
         */
        post: operations["runs_rerun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Compare the outputs (or inputs) of runs with the first one’s, field by field
         * @description Auth: read on every run’s circle (a run the key cannot see is 404 RUN_NOT_FOUND).
         */
        post: operations["runs_compare"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/definition": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The definition the run executed (the type’s snapshot, else the spec at its commit or version) */
        get: operations["runs_definition"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/steps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The steps of a run (a workflow’s task executions: name, position, status, input, output, error, attempts, duration, child run); empty for other runs */
        get: operations["runs_steps"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/connect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Connect to a live run: the same Server-Sent Events as GET …/events */
        post: operations["runs_connect"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events: status snapshots and log lines; resumable with Last-Event-ID */
        get: operations["runs_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/artifacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Files the handler wrote under PERIODIC_OUTPUT_DIR (capped at 100 MB per run) */
        get: operations["runs_artifacts_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/artifacts/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One artifact; the content type follows the extension. `..`, absolute paths and symlinks: 400 */
        get: operations["runs_artifacts_download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/files-zip": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every artifact of the run as one zip archive (streamed) */
        get: operations["runs_artifacts_zip"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Input files of the run */
        get: operations["runs_files_list"];
        put?: never;
        /** Add input files (multipart file parts) while the run is queued; else 409 RUN_ALREADY_STARTED */
        post: operations["runs_files_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/files/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an input file while the run is queued; else 409 RUN_ALREADY_STARTED */
        delete: operations["runs_files_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The run’s feedback (fields null and labels empty when none was given)
         * @description Auth: read on the run’s circle.
         */
        get: operations["runs_feedback_get"];
        /**
         * Replace the run’s feedback (fields left out are cleared)
         * @description Auth: write on the run’s circle. rating is -1 (bad), 0 (neutral) or 1 (good); comment ≤ 4000 characters; up to 20 labels.
         */
        put: operations["runs_feedback_replace"];
        post?: never;
        /** Clear the run’s feedback */
        delete: operations["runs_feedback_clear"];
        options?: never;
        head?: never;
        /**
         * Change only the feedback fields sent
         * @description Auth: write on the run’s circle. rating is -1 (bad), 0 (neutral) or 1 (good); comment ≤ 4000 characters; up to 20 labels.
         */
        patch: operations["runs_feedback_update"];
        trace?: never;
    };
    "/api/v1/runs/{id}/feedback/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resolve (or with `resolved: false` reopen) the run’s feedback
         * @description Auth: write on the run’s circle. 404 FEEDBACK_NOT_FOUND when the run has none. Replacing or changing the feedback reopens it.
         */
        post: operations["runs_feedback_resolve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/expected": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The run’s expected documents (names, sizes, times) */
        get: operations["runs_expected_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/expected/copy_output": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Save the run’s output as an expected document (default name `output`)
         * @description Auth: write. Only a succeeded run (else 409 RUN_OUTPUT_UNAVAILABLE).
         */
        post: operations["runs_expected_copy_output"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/expected/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download one expected document (the JSON as uploaded) */
        get: operations["runs_expected_download"];
        /**
         * Upload (create or replace) an expected document; the body is the JSON document
         * @description Auth: write. At most 1048576 bytes as compact JSON (413 EXPECTED_TOO_LARGE) and 50 documents per run. The document named `output` is what the comparison uses.
         */
        put: operations["runs_expected_upload"];
        post?: never;
        /** Delete an expected document */
        delete: operations["runs_expected_delete"];
        options?: never;
        head?: never;
        /** Rename an expected document (same as POST …/rename) */
        patch: operations["runs_expected_rename_patch"];
        trace?: never;
    };
    "/api/v1/runs/{id}/expected/{name}/rename": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rename an expected document
         * @description Auth: write. 409 EXPECTED_NAME_TAKEN when `to` exists.
         */
        post: operations["runs_expected_rename"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/comparison": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The run’s output against its expected `output`, field by field
         * @description Auth: read. Paths are JSONPath-style (`$.items[0].name`); each leaf is one field. 404 EXPECTED_OUTPUT_NOT_FOUND without an expected `output`.
         */
        get: operations["runs_comparison_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}/trace": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The run’s timeline: created, started, ended, phase durations, attempts and log line counts
         * @description Auth: read.
         */
        get: operations["runs_trace_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workflows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Workflows and blocks of the key’s circle, by path, with filters and offset paging
         * @description Auth: read. A platform admin key lists every circle (or ?circle=). Run one with POST /api/v1/runs {target: path}.
         */
        get: operations["workflows_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workflows/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One workflow with its current definition (YAML or JSON as written) and document header
         * @description Unknown, of another type or of another circle: 404 WORKFLOW_NOT_FOUND.
         */
        get: operations["workflows_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/workflows/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The workflow’s versions, newest first, with their Source release tags and commits
         * @description Each version’s `ref` runs it: POST /api/v1/runs {target, version: ref}. ?include=definition adds each version’s definition text.
         */
        get: operations["workflows_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Automations (workflow schedules) of the key’s circle; the platform admin: all, or ?circle=
         * @description Auth: read. A workflow whose definition has a `schedule` (`every`, `cron`, `after`, `on`) is an automation; ordered by id, with a cursor.
         */
        get: operations["automations_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automations/{automation}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One automation: its schedule, state, next and last firing, last error */
        get: operations["automations_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automations/{automation}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause an automation: it fires no more until resumed
         * @description Auth: write on the automation’s circle. Answers the automation.
         */
        post: operations["automations_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automations/{automation}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused automation (`after` waits again from now; ticks missed meanwhile are not made up)
         * @description Auth: write on the automation’s circle. Answers the automation.
         */
        post: operations["automations_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automations/{automation}/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reconcile an automation from its workflow’s latest released definition; starts no run
         * @description Auth: write. Reads the workflow’s default ref (live once promoted, else draft): creates, updates or removes its automation and answers what changed. This does not enqueue executions. `{automation}` may name a workflow that has no automation yet.
         */
        post: operations["automations_sync"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/engine/{circle}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A circle’s engine: functions, workers, registered triggers, trigger types and named queues
         * @description Auth: read on the circle. Rows as the discovery built-ins give them (engine::functions::list, engine::workers::list, engine::registered-triggers::list with pending ones, engine::triggers::list); queues are those a queue trigger configured plus each `queue` asked for (at most 20), with engine::queues::stats counts and up to 100 dead letters.
         */
        get: operations["engine_overview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/engine/{circle}/queues/{queue}/redrive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put a named queue’s dead letters back with fresh attempts (engine::queues::redrive)
         * @description Auth: write on the circle.
         */
        post: operations["engine_queue_redrive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/whoami": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The presented API key: id, name, circle and scopes
         * @description Auth: any valid key. The platform admin key answers `platform_admin: true` and no circle.
         */
        get: operations["whoami"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        JsonValue: Json;
        JsonObject: {
            [key: string]: components["schemas"]["JsonValue"];
        };
        ErrorEnvelope: {
            error: {
                /** @enum {string} */
                code: "AGENT_FAILED" | "AGENT_INTERRUPTED" | "AGENT_KEY_REFUSED" | "AGENT_MODEL_ERROR" | "AGENT_OUTPUT_INVALID" | "AGENT_RUN_NOT_FOUND" | "AGENT_STEP_LIMIT" | "AGENT_TIMEOUT" | "AGENT_TOKEN_BUDGET" | "AGENT_TOOL_INVALID" | "API_KEY_NOT_FOUND" | "ATTACHMENT_EXISTS" | "ATTACHMENT_NOT_FOUND" | "AUTH_INVALID" | "AUTH_REQUIRED" | "AUTOMATION_NOT_FOUND" | "BROWSER_ALREADY_RUNNING" | "BROWSER_COOKIES_UNREADABLE" | "BROWSER_INVALID_URL" | "BROWSER_JAR_NOT_ATTACHED" | "BROWSER_NAVIGATION_FAILED" | "BROWSER_NAVIGATION_TIMEOUT" | "BROWSER_NOT_RUNNING" | "BROWSER_NO_JAR_ATTACHED" | "BROWSER_SESSION_CRASHED" | "BROWSER_SESSION_LIMIT" | "BROWSER_UNAVAILABLE" | "BUILD_NOT_FOUND" | "CIRCLE_NOT_FOUND" | "CONFIRMATION_REQUIRED" | "ELEMENT_DISABLED" | "ELEMENT_HAS_ACTIVE_RUNS" | "ELEMENT_HAS_CHILDREN" | "ELEMENT_NOT_FOUND" | "ENGINE_CHANNEL_END_CONNECTED" | "ENGINE_CHANNEL_NOT_FOUND" | "ENGINE_FUNCTION_FAILED" | "ENGINE_FUNCTION_UNAVAILABLE" | "ENGINE_ROUTE_NOT_FOUND" | "ENGINE_SIGNATURE_INVALID" | "ENGINE_TIMEOUT" | "EVENT_STREAMS_LIMIT" | "EXPECTED_LIMIT_REACHED" | "EXPECTED_NAME_TAKEN" | "EXPECTED_NOT_FOUND" | "EXPECTED_OUTPUT_NOT_FOUND" | "EXPECTED_TOO_LARGE" | "FEEDBACK_NOT_FOUND" | "FORBIDDEN" | "FORBIDDEN_KEY" | "IDEMPOTENCY_KEY_IN_USE" | "IDEMPOTENCY_KEY_REUSED" | "INTERNAL" | "INVALID_ATTACHMENT" | "INVALID_CURSOR" | "INVALID_EXPECTED_NAME" | "INVALID_JSON" | "INVALID_MULTIPART" | "INVALID_RUN_FILE_PATH" | "INVALID_SLUG" | "JAR_ALREADY_ATTACHED" | "JAR_BROWSER_ALREADY_ATTACHED" | "JAR_BROWSER_MISSING" | "JAR_BROWSER_NOT_FOUND" | "JAR_CAPACITY_EXCEEDED" | "JAR_INVALID_COOKIES" | "JAR_NOT_FOUND" | "JAR_SPEC_MANAGED" | "JAR_VERSION_CONFLICT" | "JSON_TOO_DEEP" | "METHOD_NOT_ALLOWED" | "NOT_A_CONTAINER" | "NOT_FOUND" | "OPERATION_NOT_FOUND" | "OPERATION_NOT_RUNNABLE" | "OUTBOUND_ADDRESS_BLOCKED" | "PAYLOAD_TOO_LARGE" | "PYTHON_BUILD_FAILED" | "PYTHON_CODE_EXISTS" | "PYTHON_HANDLER_NOT_FOUND" | "PYTHON_IMPORT_ERROR" | "PYTHON_INVALID_TRANSITION" | "PYTHON_LAYER_INVALID" | "PYTHON_LAYER_IN_USE" | "PYTHON_LAYER_NOT_FOUND" | "PYTHON_OOM" | "PYTHON_RESULT_TOO_DEEP" | "PYTHON_RUNTIME_ERROR" | "PYTHON_SOURCE_NOT_INLINE" | "PYTHON_SOURCE_UNAVAILABLE" | "PYTHON_SYNC_WAIT_EXPIRED" | "PYTHON_SYNTAX_ERROR" | "PYTHON_TEST_FAILED" | "PYTHON_TIMEOUT" | "PYTHON_WORKER_LOST" | "QUOTA_EXCEEDED" | "RATE_LIMITED" | "RUN_ALREADY_STARTED" | "RUN_CANCELLED" | "RUN_DEFINITION_UNAVAILABLE" | "RUN_FILES_TOO_LARGE" | "RUN_FILE_NOT_FOUND" | "RUN_NODE_LOST" | "RUN_NOT_CANCELLABLE" | "RUN_NOT_FOUND" | "RUN_OUTCOME_UNSTORABLE" | "RUN_OUTPUT_UNAVAILABLE" | "SECRET_INTEGRITY_FAILED" | "SECRET_KEY_UNAVAILABLE" | "SLUG_IMMUTABLE" | "SLUG_TAKEN" | "SOURCE_BUNDLE_CONFLICT" | "SOURCE_BUNDLE_INVALID" | "SOURCE_BUNDLE_TOO_LARGE" | "SOURCE_BUSY" | "SOURCE_CONFIRM_REQUIRED" | "SOURCE_ENVIRONMENT_EMPTY" | "SOURCE_FIXTURES_INVALID" | "SOURCE_FIXTURES_UNSUPPORTED" | "SOURCE_NOT_A_PROJECT" | "SOURCE_NOT_FAST_FORWARD" | "SOURCE_PATH_INVALID" | "SOURCE_PROMOTION_INVALID" | "SOURCE_REF_NOT_FOUND" | "SOURCE_REF_NOT_RUNNABLE" | "STORAGE_UNAVAILABLE" | "UNKNOWN_ELEMENT_TYPE" | "UNSUPPORTED_MEDIA_TYPE" | "VALIDATION_FAILED" | "VERSION_CONFLICT" | "VERSION_NOT_FOUND" | "WORKFLOW_DEFINITION_INVALID" | "WORKFLOW_DEFINITION_TOO_LARGE" | "WORKFLOW_EVENT_INVALID" | "WORKFLOW_EXPRESSION_FAILED" | "WORKFLOW_FEATURE_UNSUPPORTED" | "WORKFLOW_NOT_FOUND" | "WORKFLOW_RUN_NOT_FOUND" | "WORKFLOW_TASK_FAILED" | "WS_AUTH_THROTTLED" | "WS_CONNECTION_FAILED" | "WS_CONNECTION_NOT_FOUND" | "WS_HANDLER_FORBIDDEN" | "WS_HANDLER_TIMEOUT" | "WS_HANDLER_UNAVAILABLE" | "WS_MAX_CONNECTIONS_REACHED" | "WS_MESSAGE_TOO_LARGE" | "WS_NOT_DRIVEN" | "WS_ROOM_NOT_ALLOWED" | "WS_UNAUTHORIZED";
                message: string;
                class: string;
                retryable: boolean;
                details: components["schemas"]["JsonObject"];
            };
            request_id: string;
        };
        Element: {
            id: string;
            circle: string;
            slug: string;
            name: string;
            element_type: string;
            category: string;
            form: string;
            symbol: string;
            state: string;
            state_reason: string | null;
            enabled: boolean;
            intention: string;
            /** @description The element type’s spec (secrets redacted). */
            spec: components["schemas"]["JsonObject"];
            meta: components["schemas"]["JsonObject"];
            version: number;
            /** @description The parent element’s id; null for a circle. */
            parent: string | null;
            /** @description `circle/project/slug`. */
            path: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            warnings: components["schemas"]["Warning"][];
        } & {
            [key: string]: unknown;
        };
        Warning: {
            /** @description The spec field, e.g. `spec.timeout_s`. */
            field: string;
            message: string;
        };
        /** @description queued → running → succeeded | failed | cancelled. */
        RunStatus: "queued" | "running" | "succeeded" | "failed" | "cancelled";
        /** @description Why a run failed; codes may add fields. */
        RunError: {
            /** @description A catalogue code (`PYTHON_TIMEOUT`, …) or the handler’s own. */
            code: string;
            message: string;
        } & {
            [key: string]: unknown;
        };
        RunTiming: {
            /** Format: date-time */
            created_at: string;
            started_at: string | null;
            completed_at: string | null;
            /** @description Started until completed, wall clock; null until it ends. */
            duration_ms: number | null;
            /** @description Created until started. */
            queued_ms: number | null;
        };
        /** @description Always `status` and `finished`; with `?expand=execution` also element, version, operation, trigger, times, queue wait and (workflows, agents) the steps. */
        RunExecution: {
            status: components["schemas"]["RunStatus"];
            finished: boolean;
            element_id?: string;
            target?: string | null;
            element_type?: string | null;
            element_version?: number;
            operation?: string;
            trigger?: string;
            /** Format: date-time */
            created_at?: string;
            started_at?: string | null;
            completed_at?: string | null;
            /** @description Created until started. */
            queued_ms?: number | null;
            /** @description The run’s steps, for types that keep them: a workflow’s task executions, an agent’s model calls and tool calls (as GET /api/v1/runs/{id}/steps). */
            steps?: components["schemas"]["JsonObject"][];
        } & {
            [key: string]: unknown;
        };
        RunRecord: {
            /** Format: uuid */
            id: string;
            /** @description The python operations’ name for `id`. */
            invocation_id: string;
            element_id: string;
            /** @description The element version the run executes. */
            element_version: number;
            operation: string;
            /** @description What started it: `api`, `rerun`, `cron`, … */
            trigger: string;
            status: components["schemas"]["RunStatus"];
            /** @description True once the run succeeded, failed or was cancelled. */
            finished: boolean;
            /** @description The payload; present with `?expand=input` (runs API) or `run(id)`. */
            input?: components["schemas"]["JsonValue"];
            /** @description What the handler returned; null until it succeeds. */
            output: components["schemas"]["JsonValue"];
            error: components["schemas"]["RunError"] | null;
            attempts: number;
            cold_start: boolean;
            /** @description Time in the handler as the executor measured it. */
            duration_ms: number | null;
            memory_used_mb: number | null;
            logs_truncated: boolean;
            /** Format: date-time */
            created_at: string;
            started_at: string | null;
            completed_at: string | null;
            /** @description W3C trace context of the run. */
            trace_id: string | null;
            span_id: string | null;
            parent_span_id: string | null;
            /** @description The Source commit the run executed (null on runs from before runs recorded it). */
            source_commit: string | null;
            /** @description The branch, tag or commit the caller named, or the default branch (live once promoted, else draft). */
            source_ref: string | null;
            /** @description How it was started: `api`, `cli`, `sdk` (HTTP callers), `engine`, …; null on runs from before. */
            source: string | null;
            /** @description The API key id that started it. */
            triggered_by: string | null;
            /** @description The `batch_id` its starter gave. */
            batch_id: string | null;
            /** @description The `example_id` its starter gave (a rerun keeps it). */
            example_id: string | null;
            timing: components["schemas"]["RunTiming"];
            /** @description Where the run can be read again; set while it is still running. */
            location?: string;
        } & {
            [key: string]: unknown;
        };
        Run: {
            /** Format: uuid */
            id: string;
            /** @description The python operations’ name for `id`. */
            invocation_id: string;
            element_id: string;
            /** @description The element version the run executes. */
            element_version: number;
            operation: string;
            /** @description What started it: `api`, `rerun`, `cron`, … */
            trigger: string;
            status: components["schemas"]["RunStatus"];
            /** @description True once the run succeeded, failed or was cancelled. */
            finished: boolean;
            /** @description The payload; present with `?expand=input` (runs API) or `run(id)`. */
            input?: components["schemas"]["JsonValue"];
            /** @description What the handler returned; null until it succeeds. */
            output: components["schemas"]["JsonValue"];
            error: components["schemas"]["RunError"] | null;
            attempts: number;
            cold_start: boolean;
            /** @description Time in the handler as the executor measured it. */
            duration_ms: number | null;
            memory_used_mb: number | null;
            logs_truncated: boolean;
            /** Format: date-time */
            created_at: string;
            started_at: string | null;
            completed_at: string | null;
            /** @description W3C trace context of the run. */
            trace_id: string | null;
            span_id: string | null;
            parent_span_id: string | null;
            /** @description The Source commit the run executed (null on runs from before runs recorded it). */
            source_commit: string | null;
            /** @description The branch, tag or commit the caller named, or the default branch (live once promoted, else draft). */
            source_ref: string | null;
            /** @description How it was started: `api`, `cli`, `sdk` (HTTP callers), `engine`, …; null on runs from before. */
            source: string | null;
            /** @description The API key id that started it. */
            triggered_by: string | null;
            /** @description The `batch_id` its starter gave. */
            batch_id: string | null;
            /** @description The `example_id` its starter gave (a rerun keeps it). */
            example_id: string | null;
            timing: components["schemas"]["RunTiming"];
            /** @description Where the run can be read again. */
            location: string;
            /** @description The element’s path (`acme/hello`); null once the element is deleted. */
            target: string | null;
            element_type: string | null;
            /** @description `?expand=usage`: duration, memory, attempts, cold start. */
            usage?: components["schemas"]["JsonObject"];
            execution: components["schemas"]["RunExecution"];
            /** @description `?expand=debug`: logs_truncated, trigger_info. */
            debug?: components["schemas"]["JsonObject"];
        } & {
            [key: string]: unknown;
        };
        RunsPage: {
            runs: components["schemas"]["Run"][];
            /** @description Pass as `cursor` for the next page; null on the last one. */
            next_cursor: string | null;
            has_more: boolean;
        };
        RunArtifact: {
            /** @description Relative to the output directory, `/`-separated. */
            path: string;
            size: number;
            /** Format: date-time */
            modified_at: string;
        };
        RunArtifactList: {
            artifacts: components["schemas"]["RunArtifact"][];
            total_bytes: number;
            /** @description The run wrote more than the per-run cap; `dropped_files`/`dropped_bytes` say how much. */
            truncated: boolean;
            dropped_files: number;
            dropped_bytes: number;
            /** @description Symlinks, FIFOs, sockets and devices the handler left (not kept). */
            refused_files: number;
            refused: {
                path: string;
                reason: string;
            }[];
        };
        RunInputFile: {
            name: string;
            /** @description The form field it came in, i.e. its key in the handler’s `input["files"]`. */
            field: string | null;
            /** @description Where the handler finds it inside the sandbox (`/periodic/input/<name>`). */
            sandbox_path: string;
            size: number;
            /** Format: date-time */
            modified_at: string;
        };
        RunInputFileList: {
            files: components["schemas"]["RunInputFile"][];
        };
        /** @description -1 (bad), 0 (neutral), 1 (good). */
        FeedbackRating: -1 | 0 | 1;
        RunFeedback: {
            run_id: string;
            rating: components["schemas"]["FeedbackRating"] | null;
            comment: string | null;
            labels: string[];
            /** @description The key that last changed it. */
            updated_by: string | null;
            /** @description Null while no feedback was given. */
            created_at: string | null;
            updated_at: string | null;
            /** @description Someone resolved it (a later change reopens it). */
            resolved: boolean;
            resolved_at: string | null;
            /** @description The key that resolved it. */
            resolved_by: string | null;
            resolution_note: string | null;
        };
        ExpectedDocument: {
            name: string;
            /** @description Size as compact JSON. */
            size_bytes: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        ExpectedDocumentList: {
            run_id: string;
            expected: components["schemas"]["ExpectedDocument"][];
        };
        FieldComparison: {
            /** @description JSONPath-style: `$`, `$.total`, `$.items[0].name`. */
            path: string;
            /** @description Absent when the field is `extra`. */
            expected?: components["schemas"]["JsonValue"];
            /** @description Absent when the field is `missing`. */
            actual?: components["schemas"]["JsonValue"];
            equal: boolean;
            status: "equal" | "different" | "missing" | "extra";
        };
        RunComparison: {
            run_id: string;
            run_status: components["schemas"]["RunStatus"];
            expected_name: string;
            match: boolean;
            fields: components["schemas"]["FieldComparison"][];
            /** @description `fields` was cut at the limit; `summary` counts every field. */
            truncated: boolean;
            summary: {
                total: number;
                equal: number;
                different: number;
                missing: number;
                extra: number;
            };
        };
        RunsComparison: {
            base_run_id: string;
            field: "output" | "input";
            runs: {
                run_id: string;
                status: components["schemas"]["RunStatus"];
                element_id: string;
            }[];
            comparisons: {
                /** @description Compared with the base run: `expected` is the base’s value. */
                run_id: string;
                status: components["schemas"]["RunStatus"];
                match: boolean;
                fields: components["schemas"]["FieldComparison"][];
                truncated: boolean;
                summary: {
                    total: number;
                    equal: number;
                    different: number;
                    missing: number;
                    extra: number;
                };
            }[];
        };
        RunDefinition: {
            run_id: string;
            element_id: string;
            target: string | null;
            element_type: string;
            element_version: number;
            operation: string;
            source_commit: string | null;
            source_ref: string | null;
            /** @description `runtime`: the type’s own snapshot taken when the run started; else the spec at the run’s Source commit, or at its element version. */
            captured: "runtime" | "source_commit" | "element_version";
            /** @description What the run executed, as the element type shows its spec (secrets hidden). */
            definition: components["schemas"]["JsonValue"];
        };
        TraceEvent: {
            type: "created" | "started" | "ended";
            /** Format: date-time */
            at: string;
            status?: components["schemas"]["RunStatus"];
            /** @description On `started`. */
            attempts?: number;
            /** @description On `ended`: the error’s code, null when it succeeded. */
            error_code?: string | null;
        } & {
            [key: string]: unknown;
        };
        RunTrace: {
            run_id: string;
            status: components["schemas"]["RunStatus"];
            trigger: string;
            /** @description What started the run (key id, request id, rerun_of, …). */
            trigger_info: components["schemas"]["JsonObject"] | null;
            events: components["schemas"]["TraceEvent"][];
            attempts: number;
            durations_ms: {
                /** @description Created until started (queue wait). */
                queued: number | null;
                /** @description Started until ended, wall clock. */
                running: number | null;
                /** @description Time in the handler as the executor measured it. */
                execution: number | null;
                total: number | null;
            };
            /** @description Text lines in total and per stream; `records` is how many chunks were stored. */
            logs: {
                records: number;
                lines: number;
                stdout: number;
                stderr: number;
                bytes: number;
                truncated: boolean;
            };
        };
        RunLogLine: {
            /** @description `stdout` or `stderr`. */
            stream: string;
            data: string;
        };
        RunDetail: {
            /** Format: uuid */
            id: string;
            /** @description The python operations’ name for `id`. */
            invocation_id: string;
            element_id: string;
            /** @description The element version the run executes. */
            element_version: number;
            operation: string;
            /** @description What started it: `api`, `rerun`, `cron`, … */
            trigger: string;
            status: components["schemas"]["RunStatus"];
            /** @description True once the run succeeded, failed or was cancelled. */
            finished: boolean;
            /** @description The payload; present with `?expand=input` (runs API) or `run(id)`. */
            input?: components["schemas"]["JsonValue"];
            /** @description What the handler returned; null until it succeeds. */
            output: components["schemas"]["JsonValue"];
            error: components["schemas"]["RunError"] | null;
            attempts: number;
            cold_start: boolean;
            /** @description Time in the handler as the executor measured it. */
            duration_ms: number | null;
            memory_used_mb: number | null;
            logs_truncated: boolean;
            /** Format: date-time */
            created_at: string;
            started_at: string | null;
            completed_at: string | null;
            /** @description W3C trace context of the run. */
            trace_id: string | null;
            span_id: string | null;
            parent_span_id: string | null;
            /** @description The Source commit the run executed (null on runs from before runs recorded it). */
            source_commit: string | null;
            /** @description The branch, tag or commit the caller named, or the default branch (live once promoted, else draft). */
            source_ref: string | null;
            /** @description How it was started: `api`, `cli`, `sdk` (HTTP callers), `engine`, …; null on runs from before. */
            source: string | null;
            /** @description The API key id that started it. */
            triggered_by: string | null;
            /** @description The `batch_id` its starter gave. */
            batch_id: string | null;
            /** @description The `example_id` its starter gave (a rerun keeps it). */
            example_id: string | null;
            timing: components["schemas"]["RunTiming"];
            /** @description Where the run can be read again; set while it is still running. */
            location?: string;
            logs: components["schemas"]["RunLogLine"][];
            /** @description Streamed chunks while the run is going. */
            chunks?: components["schemas"]["JsonValue"][];
        } & {
            [key: string]: unknown;
        };
        ElementRunsPage: {
            runs: components["schemas"]["RunRecord"][];
            /** @description Pass as `cursor` for the next page; null on the last one. */
            next_cursor: string | null;
            has_more: boolean;
        };
        RunLogs: {
            runs: {
                run_id: string;
                status: components["schemas"]["RunStatus"];
                /** Format: date-time */
                created_at: string;
                /** @description Lines past the per-run cap were dropped. */
                truncated: boolean;
                logs: components["schemas"]["RunLogLine"][];
            }[];
        };
        BuildRecord: {
            build_id: string;
            layer_key: string | null;
            requirements: string[];
            status: "building" | "succeeded" | "failed";
            /** @description The layer was already built. */
            cached: boolean;
            /** @description pip’s output (build status only). */
            output?: string;
            /** Format: date-time */
            started_at: string;
            finished_at: string | null;
            duration_ms: number | null;
        } & {
            [key: string]: unknown;
        };
        ElementChildrenPage: {
            children: components["schemas"]["Element"][];
            total: number;
            limit: number;
            offset: number;
        };
        DeletedElement: {
            /** @constant */
            deleted: true;
            id: string;
            slug: string;
            /** Format: date-time */
            deleted_at: string;
        };
        JarDescription: {
            cookie_count: number;
            /** @description Bumped by every write; compare-and-set with expected_version. */
            cookies_version: number;
            /** @description ISO 8601; empty before the first write. */
            cookies_updated_at: string;
            /** @description Empty when no browser is attached. */
            attached_browser_id: string;
            state: "empty" | "populated" | "orphaned";
            domains: {
                domain: string;
                count: number;
            }[];
            expired_count: number;
            /** @description Cookies without an expiration. */
            session_count: number;
            /** @description Seconds since the epoch. */
            oldest_expiration: number | null;
            /** @description Seconds since the epoch. */
            newest_expiration: number | null;
            oldest_expiration_at: string | null;
            newest_expiration_at: string | null;
            /** @description Cookies a jar may hold. */
            limit: number;
            near_capacity: boolean;
        } & {
            [key: string]: unknown;
        };
        BroadcastResult: {
            /**
             * @description The send path completed; an empty audience is still a success.
             * @constant
             */
            broadcast: true;
            /** @description Sockets the message was written to. */
            delivered_to: number;
            /** @description Connections (or room members) there were. */
            subscriber_count: number;
            /** @description Members over their buffer cap (only when > 0). */
            skipped_slow?: number;
            /** @description Nodes that did not answer in time (only when some did not). */
            nodes_unreachable?: string[];
        };
        WebSocketConnection: {
            connection_id: string;
            /** Format: date-time */
            connected_at: string;
            user: string | null;
            rooms: string[];
            /** @description The client’s address. */
            remote: string;
            /** @description The node holding the socket. */
            node: string;
            buffered_bytes: number;
        } & {
            [key: string]: unknown;
        };
        WebSocketConnections: {
            mode: "exposed" | "driven";
            count: number;
            max_connections: number;
            room: string | null;
            connections: components["schemas"]["WebSocketConnection"][];
            /** @description Driven mode: the outbound link’s state and the node holding it. */
            link?: components["schemas"]["JsonObject"];
            nodes_unreachable: string[];
        } & {
            [key: string]: unknown;
        };
        WorkflowSummary: {
            /** @description The element id. */
            id: string;
            slug: string;
            /** @description The element path, e.g. `acme/extract-invoice` (a run target). */
            path: string;
            circle: string;
            /** @description `document.name` of the definition. */
            name: string;
            /** @description `document.namespace`. */
            namespace: string | null;
            /** @description `document.version` (the DSL document’s own version). */
            version: string | null;
            /** @description `document.title`. */
            title: string | null;
            /** @description `document.summary`, else the element’s intention. */
            description: string;
            kind: "workflow" | "block";
            /** @description The project holding it; null directly in the circle. */
            folder_id: string | null;
            /** @description The element version (each write adds one). */
            element_version: number;
            state: string;
            enabled: boolean;
            /** @description `input.schema.document` of the definition, when it has one. */
            input_schema: components["schemas"]["JsonObject"] | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        WorkflowDetail: {
            /** @description The element id. */
            id: string;
            slug: string;
            /** @description The element path, e.g. `acme/extract-invoice` (a run target). */
            path: string;
            circle: string;
            /** @description `document.name` of the definition. */
            name: string;
            /** @description `document.namespace`. */
            namespace: string | null;
            /** @description `document.version` (the DSL document’s own version). */
            version: string | null;
            /** @description `document.title`. */
            title: string | null;
            /** @description `document.summary`, else the element’s intention. */
            description: string;
            kind: "workflow" | "block";
            /** @description The project holding it; null directly in the circle. */
            folder_id: string | null;
            /** @description The element version (each write adds one). */
            element_version: number;
            state: string;
            enabled: boolean;
            /** @description `input.schema.document` of the definition, when it has one. */
            input_schema: components["schemas"]["JsonObject"] | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** @description The current definition, YAML or JSON text as written. */
            definition: string;
            /** @description The parsed `document` header (dsl, namespace, name, version, title, summary, tags). */
            document: components["schemas"]["JsonObject"] | null;
            /** @description Names of the stored secrets (values never shown). */
            secrets: string[];
        };
        WorkflowList: {
            workflows: components["schemas"]["WorkflowSummary"][];
            total: number;
            limit: number;
            offset: number;
            has_more: boolean;
        };
        WorkflowVersion: {
            /** @description The element version. */
            version: number;
            /** @description Source release tags (`v1`, `v2` …, one per promotion to live) naming this version. */
            tags: string[];
            /** @description What to pass as `version` to POST /api/v1/runs to run it: a release tag when it has one, else its commit (null: not in Source). */
            ref: string | null;
            /** @description The Source commit of the version (when known). */
            commit: string | null;
            /** @description `document.name` at that version. */
            name: string;
            /** @description `document.version` at that version. */
            document_version: string | null;
            message: string;
            created_by: string | null;
            /** Format: date-time */
            created_at: string;
            /** @description Whether this is the element’s current version. */
            current: boolean;
            /** @description With `?include=definition`. */
            definition?: string;
        };
        WorkflowVersionList: {
            workflow_id: string;
            path: string;
            versions: components["schemas"]["WorkflowVersion"][];
            total: number;
            limit: number;
            offset: number;
            has_more: boolean;
        };
        Automation: {
            /** @description The workflow element’s id (the automation’s id). */
            id: string;
            circle: string;
            /** @description The workflow’s path, `circle/slug` (usable as the id, URL-encoded). */
            path: string;
            /** @description The document’s name. */
            workflow: string | null;
            /** @description Which `schedule` it is; null when the schedule is invalid. */
            kind: "every" | "cron" | "after" | "on" | null;
            /** @description The definition’s `schedule`, as last synced. */
            schedule: components["schemas"]["JsonObject"];
            state: "active" | "paused" | "disabled" | "invalid";
            paused: boolean;
            /** @description The next tick of an `every` or `cron` schedule. */
            next_fire_at: string | null;
            /** @description Why it did not fire last time (a revoked writer key, a bad schedule), cleared by the next run. */
            last_error: string | null;
            last_fired_at: string | null;
            last_run_id: string | null;
            /** @description The workflow version the schedule was read from. */
            version: number;
            /** @description The branch that version was read from (`live` once promoted, else `draft`). */
            source_ref: string | null;
            source_commit: string | null;
            /** Format: date-time */
            updated_at: string;
        };
        AutomationsPage: {
            automations: components["schemas"]["Automation"][];
            /** @description Pass as `cursor` for the next page; null on the last one. */
            next_cursor: string | null;
            has_more: boolean;
        };
        AutomationSyncResponse: {
            /** @description `none`: the workflow has no schedule and had no automation. */
            action: "created" | "updated" | "unchanged" | "removed" | "none";
            automation: components["schemas"]["Automation"] | null;
            /** @description The fields that changed (schedule, version, source_ref, source_commit). */
            changes: {
                field: string;
                before: components["schemas"]["JsonValue"];
                after: components["schemas"]["JsonValue"];
            }[];
            /** @description Always 0: a sync never enqueues a run. */
            runs_started: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/plain */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_circles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    create_circle: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    element_type: string;
                    slug: string;
                    name?: string;
                    intention?: string;
                    /** @description Type-specific spec; defaults are applied. */
                    spec?: {
                        [key: string]: unknown;
                    };
                    /** @description Free-form UI metadata. */
                    meta?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Element"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    get_element: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Element"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    create_child: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    element_type: string;
                    slug: string;
                    name?: string;
                    intention?: string;
                    /** @description Type-specific spec; defaults are applied. */
                    spec?: {
                        [key: string]: unknown;
                    };
                    /** @description Free-form UI metadata. */
                    meta?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Element"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    circle_stats_get: {
        parameters: {
            query?: {
                period?: "hour" | "day" | "week" | "month";
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    circle_events_get: {
        parameters: {
            query?: {
                types?: string;
                last_event_id?: string;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                    "text/event-stream": string;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    circle_types_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    circle_api_keys_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    circle_api_keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    name?: string;
                    scopes: ("read" | "write" | "execute" | "admin")[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    circle_api_key_revoke_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Operation path parameter */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_get_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Element"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_version_get: {
        parameters: {
            query?: {
                history?: boolean;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_schema_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_intention_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_readme_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_readme_update_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    content: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_create_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    element_type: string;
                    slug: string;
                    name?: string;
                    intention?: string;
                    /** @description Type-specific spec; defaults are applied. */
                    spec?: {
                        [key: string]: unknown;
                    };
                    /** @description Free-form UI metadata. */
                    meta?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Element"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_children_get: {
        parameters: {
            query?: {
                element_type?: string;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ElementChildrenPage"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_update_patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Spec patch */
                    spec?: {
                        [key: string]: unknown;
                    };
                    name?: string;
                    intention?: string;
                    /** @default true */
                    deep?: boolean;
                    expected_version?: number;
                    message?: string;
                    /** @description Refused unless equal to the current slug. */
                    slug?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Element"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_update_meta_patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Top-level keys replace existing ones; null values are kept as null. */
                    meta: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_restore_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    version: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_enable_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_disable_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_delete_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    name: string;
                    domain: string;
                    /** @default / */
                    path?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_delete_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default false */
                    confirm?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletedElement"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_attach_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    target_id?: string;
                    /** @description Slug or path of the target in this circle. */
                    target?: string;
                    /**
                     * @description Lower runs first.
                     * @default 100
                     */
                    priority?: number;
                    /** @default none */
                    cascade_policy?: "none" | "children" | "descendants";
                    version_pin?: number;
                } | {
                    browser_id: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_detach_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    target_id?: string;
                    /** @description Slug or path of the target in this circle. */
                    target?: string;
                } | {
                    /** @default false */
                    force?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_attachments_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_list_attachments_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_compose_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default [] */
                    add?: {
                        ref: string;
                        /**
                         * @description Lower runs first.
                         * @default 100
                         */
                        priority?: number;
                        /** @default none */
                        cascade_policy?: "none" | "children" | "descendants";
                    }[];
                    /** @default [] */
                    remove?: {
                        attachment_id: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    "generic_remove-modifier_post": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    attachment_id: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_context_get: {
        parameters: {
            query?: {
                depth?: number;
                types?: string;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_tree_get: {
        parameters: {
            query?: {
                depth?: number;
                include_metadata?: boolean;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_batch_stats_get: {
        parameters: {
            query?: {
                period?: "hour" | "day" | "week" | "month";
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_activity_get: {
        parameters: {
            query?: {
                limit?: number;
                before?: number;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_get: {
        parameters: {
            query: {
                path: string;
                ref?: string;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_branches_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_promote_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    from?: "draft" | "demo" | "live";
                    to: "draft" | "demo" | "live";
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_versions_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_validate_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    branch?: "draft" | "demo" | "live";
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_repair_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default true */
                    dry_run?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_export_bundle_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                    "application/octet-stream": string;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_import_bundle_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    bundle_base64?: string;
                    bundles?: {
                        path: string;
                        bundle_base64: string;
                        slug?: string;
                        element_type?: string;
                        id?: string;
                    }[];
                    overwrite?: boolean;
                    /** @constant */
                    format?: "periodic.bundles.v1";
                    circle?: string;
                    exported_at?: string;
                    count?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_source_fixtures_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    ref?: string;
                    /** @default true */
                    dry_run?: boolean;
                    /** @default false */
                    confirm?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_promote_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    to: "demo" | "live";
                    from?: "dev" | "demo" | "live";
                    message?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    generic_stats_get: {
        parameters: {
            query?: {
                period?: "hour" | "day" | "week" | "month";
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    variable_value_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    variable_cookie_jar_set_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    value: unknown;
                    expected_version?: number;
                } | ({
                    name: string;
                    value: string;
                    domain: string;
                    path?: string;
                } & {
                    [key: string]: unknown;
                });
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_workflow_agent_invoke_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunRecord"];
                };
            };
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunRecord"];
                };
            };
            /** @description Still going */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunRecord"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_runs_get: {
        parameters: {
            query?: {
                status?: "queued" | "running" | "succeeded" | "failed" | "cancelled";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ElementRunsPage"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_run_get_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
                /** @description Operation path parameter */
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_run_cancel_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
                /** @description Operation path parameter */
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunRecord"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_logs_get: {
        parameters: {
            query?: {
                run_id?: string;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunLogs"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_diagnostics_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_measure_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_apply_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_run_stream_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
                /** @description Operation path parameter */
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_build_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default false */
                    force?: boolean;
                    /** @default 0 */
                    wait_for_completion?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BuildRecord"];
                };
            };
            /** @description Still going */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BuildRecord"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_build_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
                /** @description Operation path parameter */
                build_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BuildRecord"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_test_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    test_filter?: string;
                    /** @default 0 */
                    wait_for_completion?: number;
                    /** @description The branch, tag or commit whose code and tests run (default: draft, the code being written). */
                    ref?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_test_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
                /** @description Operation path parameter */
                test_run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_scaffold_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    template?: "basic" | "transform" | "stream" | "http" | "resources";
                    /** @default false */
                    overwrite?: boolean;
                    expected_version?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    python_lifecycle_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    target_state: "draft" | "ready" | "deployed" | "error" | "disabled" | "deleted";
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_accept_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    user?: string;
                    /** @default [] */
                    rooms?: string[];
                    /** @default 60000 */
                    ttl_ms?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_send_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    connection_id?: string;
                    message: unknown;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_broadcast_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    room?: string;
                    message: unknown;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BroadcastResult"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_close_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    connection_id: string;
                    /** @default 1000 */
                    code?: 1000 | number;
                    /** @default  */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_connections_get: {
        parameters: {
            query?: {
                room?: string;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebSocketConnections"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_join_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    connection_id: string;
                    room: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_leave_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    connection_id: string;
                    room: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_receive_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    message: unknown;
                    connection_id?: string;
                    token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    websocket_test_connection_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_start_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_navigate_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    url: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description HTTP status of the main document. */
                        status: number | null;
                        /** @description The final URL, after redirects. */
                        url: string;
                        title: string;
                    };
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_stop_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_capture_cookies_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_cookies_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_save_cookies_to_jar_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    expected_version?: number;
                    /** @description Id or slug of the jar the caller expects; refused unless it is the attached one. */
                    jar?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    browser_load_cookies_from_jar_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default replace */
                    mode?: "replace" | "merge";
                    /** @description Id or slug of the jar the caller expects; refused unless it is the attached one. */
                    jar?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_import_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Cookie records (at most 50000; duplicates count once toward the 10 000 bound) */
                    cookies: unknown[];
                    /** @default merge */
                    mode?: "merge" | "replace";
                    /**
                     * @description Input shape; auto detects it from the records.
                     * @default auto
                     */
                    format?: "auto" | "chrome" | "playwright" | "cdp";
                    /** @default reject */
                    on_invalid?: "reject" | "skip";
                    /** @description JAR_VERSION_CONFLICT unless cookies_version still equals it */
                    expected_version?: number;
                    /** @description Ignored (Playwright storageState) */
                    origins?: unknown[];
                } | unknown[];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_export_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    domain?: string;
                    /** @default true */
                    include_expired?: boolean;
                    /** @default chrome */
                    format?: "chrome" | "playwright" | "cdp";
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_clear_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    domain?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_prune_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_list_get: {
        parameters: {
            query?: {
                domain?: string;
                include_values?: boolean;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_diff_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    browser_id?: string;
                    other_jar_id?: string;
                    domain?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cookie_jar_describe_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JarDescription"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    workflow_agent_steps_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
                /** @description Operation path parameter */
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    workflow_validate_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Circle slug */
                circle: string;
                /** @description Element slug (or project/slug) */
                element: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    definition: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_list: {
        parameters: {
            query?: {
                target?: string;
                element_type?: string;
                type?: string;
                source?: string;
                triggered_by?: string;
                source_ref?: string;
                batch_id?: string;
                example_id?: string;
                example_id_contains?: string;
                status?: string;
                trigger?: string;
                created_after?: string;
                created_before?: string;
                completed_after?: string;
                completed_before?: string;
                from?: string;
                to?: string;
                ids?: string;
                limit?: number;
                offset?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of runs, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunsPage"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_create: {
        parameters: {
            query?: {
                wait_for_completion?: number;
            };
            header?: {
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The element path, e.g. `acme/hello` or `acme/project/hello`. */
                    target: string;
                    /** @default invoke */
                    operation?: string;
                    /** @description The payload (default `{}`). */
                    input?: unknown;
                    /** @description The branch, tag (`v1`) or commit id to run; default: `live` once the element has been promoted, else `draft`. The run records the commit as `source_commit`. */
                    version?: string;
                    /** @description Same as `version` (when both are given, `version` wins). */
                    ref?: string;
                    /** @description Your id for a batch of runs started together (e.g. one eval pass); filter with `batch_id`. */
                    batch_id?: string;
                    /** @description Your id for the example (test case) this run is of; filter with `example_id` or `example_id_contains`. A rerun keeps it. */
                    example_id?: string;
                };
                "multipart/form-data": {
                    target: string;
                    /** @default invoke */
                    operation?: string;
                    /** @description The payload as JSON text (default `{}`). */
                    input?: string;
                } & {
                    [key: string]: string;
                };
            };
        };
        responses: {
            /** @description The run ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description The run was created (queued) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description The run is still running */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_get: {
        parameters: {
            query?: {
                expand?: string;
                wait?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_rerun: {
        parameters: {
            query?: {
                wait_for_completion?: number;
                version?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description `original` runs what the source run ran (its Source commit, else its element version); `latest` the element's default branch (`live` once promoted, else `draft`).
                     * @default latest
                     */
                    version?: "original" | "latest";
                };
            };
        };
        responses: {
            /** @description The new run ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description The new run (queued) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description The new run is still running */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_compare: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The base run first, then the runs compared with it (2–20 ids). */
                    run_ids: string[];
                    /**
                     * @description What is compared: the runs’ outputs (default) or their inputs.
                     * @default output
                     */
                    field?: "output" | "input";
                };
            };
        };
        responses: {
            /** @description The comparisons */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunsComparison"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_definition: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The definition */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDefinition"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_steps: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The steps */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonObject"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_connect: {
        parameters: {
            query?: never;
            header?: {
                "Last-Event-ID"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_events: {
        parameters: {
            query?: never;
            header?: {
                "Last-Event-ID"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_artifacts_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The artifacts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunArtifactList"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_artifacts_download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_artifacts_zip: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description application/zip */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/zip": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_files_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The input files */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunInputFileList"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_files_upload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    [key: string]: string;
                };
            };
        };
        responses: {
            /** @description Every input file of the run */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunInputFileList"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_files_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_feedback_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The feedback */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunFeedback"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_feedback_replace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description -1 (bad), 0 (neutral), 1 (good); null clears it. */
                    rating?: -1 | 0 | 1 | null;
                    /** @description Free text, at most 4000 characters. */
                    comment?: string | null;
                    /** @description Up to 20 labels of 1–64 characters; duplicates are dropped, order kept. */
                    labels?: string[];
                };
            };
        };
        responses: {
            /** @description The feedback */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunFeedback"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_feedback_clear: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done (no body) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_feedback_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description -1 (bad), 0 (neutral), 1 (good); null clears it. */
                    rating?: -1 | 0 | 1 | null;
                    /** @description Free text, at most 4000 characters. */
                    comment?: string | null;
                    /** @description Up to 20 labels of 1–64 characters; duplicates are dropped, order kept. */
                    labels?: string[];
                };
            };
        };
        responses: {
            /** @description The feedback */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunFeedback"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_feedback_resolve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description `true` marks the feedback resolved; `false` reopens it.
                     * @default true
                     */
                    resolved?: boolean;
                    /** @description How it was resolved (kept until the feedback is reopened or changed). */
                    note?: string | null;
                };
            };
        };
        responses: {
            /** @description The feedback */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunFeedback"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_expected_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The expected documents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpectedDocumentList"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_expected_copy_output: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Name to save under (default `output`).
                     * @default output
                     */
                    name?: string;
                };
            };
        };
        responses: {
            /** @description Replaced */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpectedDocument"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpectedDocument"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_expected_download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description Expected document name (no `/`, no `..`). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_expected_upload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description Expected document name (no `/`, no `..`). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description Replaced */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpectedDocument"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpectedDocument"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_expected_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description Expected document name (no `/`, no `..`). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done (no body) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_expected_rename_patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description Expected document name (no `/`, no `..`). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Letters, digits, `.`, `_`, `-`; starts with a letter or digit; no `..`. */
                    to: string;
                };
            };
        };
        responses: {
            /** @description The renamed document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpectedDocument"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_expected_rename: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description Expected document name (no `/`, no `..`). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Letters, digits, `.`, `_`, `-`; starts with a letter or digit; no `..`. */
                    to: string;
                };
            };
        };
        responses: {
            /** @description The renamed document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpectedDocument"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_comparison_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The comparison, field by field */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunComparison"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    runs_trace_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The timeline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunTrace"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    workflows_list: {
        parameters: {
            query?: {
                search?: string;
                name?: string;
                kind?: "workflow" | "block";
                folder_id?: string;
                circle?: string;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of workflows */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowList"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    workflows_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The workflow’s element id, its path URL-encoded (`acme%2Fextract-invoice`), or (circle key) its slug. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The workflow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowDetail"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    workflows_versions: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
                include?: "definition";
            };
            header?: never;
            path: {
                /** @description The workflow’s element id, its path URL-encoded (`acme%2Fextract-invoice`), or (circle key) its slug. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowVersionList"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    automations_list: {
        parameters: {
            query?: {
                circle?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of automations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AutomationsPage"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    automations_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The workflow element’s id, or its path `circle/slug` URL-encoded (`acme%2Fnightly`). */
                automation: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The automation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Automation"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    automations_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The workflow element’s id, or its path `circle/slug` URL-encoded (`acme%2Fnightly`). */
                automation: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The automation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Automation"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    automations_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The workflow element’s id, or its path `circle/slug` URL-encoded (`acme%2Fnightly`). */
                automation: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The automation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Automation"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    automations_sync: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The workflow element’s id, or its path `circle/slug` URL-encoded (`acme%2Fnightly`). */
                automation: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What the sync changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AutomationSyncResponse"];
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    engine_overview: {
        parameters: {
            query?: {
                /** @description Also show this named queue (repeatable). */
                queue?: string[];
            };
            header?: never;
            path: {
                /** @description The circle’s slug. */
                circle: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The engine of the circle */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        circle: string;
                        /** @description engine::functions::list rows */
                        functions: Record<string, never>[];
                        /** @description engine::workers::list rows */
                        workers: Record<string, never>[];
                        /** @description engine::registered-triggers::list rows */
                        triggers: Record<string, never>[];
                        /** @description engine::triggers::list rows */
                        trigger_types: Record<string, never>[];
                        /** @description engine::queues::stats of each queue, with dead_letters and dead_letter_count */
                        queues: Record<string, never>[];
                    };
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    engine_queue_redrive: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The circle’s slug. */
                circle: string;
                queue: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description How many jobs went back */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        redriven: number;
                    };
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    whoami: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        key_id: string;
                        name: string | null;
                        /** @description The circle’s slug; null for the platform admin. */
                        circle: string | null;
                        scopes: ("read" | "write" | "execute" | "admin")[];
                        platform_admin: boolean;
                    };
                };
            };
            /** @description Error envelope */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
}

// Loads the wasm bundle when the page is idle and hydrates every <leptos-island> in it: the loader
// of Leptos 0.8's `HydrationScripts` in islands mode, used without its <link rel=preload>s, which
// fetch the bundle at high priority at once and so compete with a phone's first pictures for its
// bandwidth (see `app::IslandScripts`), holding a button click or a form's submit that comes
// before its island is live, and hydrating an island inside `[data-hydrate=on-use]` only when it
// is first used (focus, a press, a key, or an `islands:wake` event on the document): its part of
// the bundle is fetched then, not with the page. Called with (root, pkg_path, output_name,
// wasm_output_name).
((root, pkg_path, output_name, wasm_output_name) => {
	function idle(c) {
		if ("requestIdleCallback" in window) {
			window.requestIdleCallback(c);
		} else {
			c();
		}
	}
	// Hydrates the islands in `rootNode`, except those waiting for their first use (`woken`: the
	// one whose use has come). `children`: the hydration callbacks of the <leptos-children> being
	// walked, innermost last; each walk has its own, as a woken island is walked while the page's
	// first walk may still be under way.
	async function hydrateIslands(rootNode, mod, woken = null) {
		const children = [];
		async function traverse(node) {
			if (node.nodeType === Node.ELEMENT_NODE) {
				const tag = node.tagName.toLowerCase();
				if(tag === 'leptos-island') {
					const id = node.dataset.component || null;
					const deferred = node.parentElement && node.parentElement.closest("[data-hydrate=on-use]");
					if (deferred && node !== woken) {
						hydrateOnUse(deferred, node, id, mod);
						return;
					}
					await hydrateIsland(node, id, mod, children);
					for(const child of node.children) {
						await traverse(child);
					}
				} else {
					if (tag === 'leptos-children') {
						children.push(node.$$on_hydrate);
						for(const child of node.children) {
							await traverse(child);
						};
						children.pop();
					} else {
						for(const child of node.children) {
							await traverse(child);
						};
					}
				}
			}
		}

		await traverse(rootNode);
	}
	// How long a woken island may take to come live (its part fetched, hydrated) before what was
	// held for it is let go: a part that fails to load aborts the wasm without a word, and a send
	// held forever would leave a form that does nothing. Let go, the send posts as plain HTML.
	const WAKE_TIMEOUT_MS = 15000;
	// What a press must land on to wake an island (a press elsewhere may be a scroll starting).
	const CONTROLS = "button, input, select, textarea, label, summary, a";
	// The island waits for its first use: focus in it, a key, a press on one of its controls (a
	// touch that starts a scroll over it is not a use), or `islands:wake` on the document.
	// Presses and sends in it meanwhile are held (below) and replayed once it is live.
	function hydrateOnUse(area, node, id, mod) {
		const uses = ["focusin", "pointerdown", "keydown"];
		let started = false;
		const start = (event) => {
			if (event && event.type === "pointerdown" && !(event.target instanceof Element && event.target.closest(CONTROLS))) {
				return;
			}
			if (started) {
				return;
			}
			started = true;
			for (const use of uses) {
				area.removeEventListener(use, start, true);
			}
			document.removeEventListener("islands:wake", start);
			setTimeout(() => {
				if (!LIVE.has(node)) {
					console.warn(`The island ${id} did not come live; its held presses and sends are let go.`);
					WAKE.delete(node);
					replayHeldClicks(node);
				}
			}, WAKE_TIMEOUT_MS);
			hydrateIslands(node, mod, node);
		};
		for (const use of uses) {
			area.addEventListener(use, start, true);
		}
		document.addEventListener("islands:wake", start);
		WAKE.set(node, start);
		// Pressed before the bundle had loaded: that press was its first use.
		if (HELD.has(node)) {
			start();
		}
	}
	// A click on an island's button before that island is live would do nothing: its handlers
	// come with the wasm, and a lazy island's part later still. Such a click is held and replayed
	// once the island has hydrated. Links work without the wasm and are left alone, and so are
	// forms, which post, except in an island that waits for its first use: its submit wakes it
	// and is held too, so that it goes through the island. (Before the bundle has loaded, sends
	// are not held and the form posts as plain HTML; presses are, and a press in an island that
	// waits for its first use wakes it as soon as the bundle is there.)
	const LIVE = new WeakSet();
	const WAKE = new WeakMap();
	const HELD = new Map();
	function hold(island, replay, event) {
		event.preventDefault();
		event.stopPropagation();
		HELD.set(island, [...(HELD.get(island) || []), replay]);
		// An island waiting for its first use is used now (a press usually woke it already).
		const wake = WAKE.get(island);
		if (wake) {
			wake();
		}
	}
	document.addEventListener("click", (event) => {
		const button = event.target instanceof Element ? event.target.closest("button[type=button]") : null;
		const island = button ? button.closest("leptos-island") : null;
		if (!island || LIVE.has(island)) {
			return;
		}
		hold(island, () => button.isConnected && button.click(), event);
	}, true);
	document.addEventListener("submit", (event) => {
		const form = event.target;
		const island = form instanceof Element ? form.closest("leptos-island") : null;
		if (!island || !WAKE.has(island) || LIVE.has(island)) {
			return;
		}
		const submitter = event.submitter;
		hold(island, () => form.isConnected && form.requestSubmit(submitter && submitter.isConnected ? submitter : undefined), event);
	}, true);
	function replayHeldClicks(island) {
		LIVE.add(island);
		const held = HELD.get(island) || [];
		HELD.delete(island);
		for (const replay of held) {
			replay();
		}
	}
	async function hydrateIsland(el, id, mod, children = []) {
		const islandFn = mod[id];
		if (islandFn) {
			const children_cb = children[children.length-1];
			if (children_cb) {
				children_cb();
			}
			try {
				const res = islandFn(el);
				if (res && res.then) {
					await res;
				}
			} finally {
				// Replayed even if hydration failed: the page's own buttons, then, not ours.
				replayHeldClicks(el);
			}
		} else {
			console.warn(`Could not find WASM function for the island ${id}.`);
			replayHeldClicks(el);
		}
	}
	idle(() => {
		import(`${root}/${pkg_path}/${output_name}.js`)
			.then(mod => {
				mod.default({module_or_path: `${root}/${pkg_path}/${wasm_output_name}.wasm`}).then(() => {
					mod.hydrate();
					hydrateIslands(document.body, mod);
				});

				window.__hydrateIsland = (el, id) => hydrateIsland(el, id, mod);
			})
	});
})

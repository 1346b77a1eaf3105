// Loads the wasm bundle when the page is idle and hydrates every <leptos-island> in it: the loader
// of Leptos 0.8's `HydrationScripts` in islands mode, used without its <link rel=preload>s, which
// fetch the bundle at high priority at once and so compete with a phone's first pictures for its
// bandwidth (see `app::IslandScripts`), and holding a button click that comes before its island is
// live. Called with (root, pkg_path, output_name, wasm_output_name).
((root, pkg_path, output_name, wasm_output_name) => {
	let MOST_RECENT_CHILDREN_CB = [];

	function idle(c) {
		if ("requestIdleCallback" in window) {
			window.requestIdleCallback(c);
		} else {
			c();
		}
	}
	async function hydrateIslands(rootNode, mod) {
		async function traverse(node) {
			if (node.nodeType === Node.ELEMENT_NODE) {
				const tag = node.tagName.toLowerCase();
				if(tag === 'leptos-island') {
					const children = [];
					const id = node.dataset.component || null;

					await hydrateIsland(node, id, mod);
					
					for(const child of node.children) {
						await traverse(child, children);
					}
				} else {
					if (tag === 'leptos-children') {
						MOST_RECENT_CHILDREN_CB.push(node.$$on_hydrate);
						for(const child of node.children) {
							await traverse(child);
						};
						// un-set the "most recent children"
						MOST_RECENT_CHILDREN_CB.pop();
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
	// A click on an island's button before that island is live would do nothing: its handlers
	// come with the wasm, and a lazy island's part later still. Such a click is held and replayed
	// once the island has hydrated. Links and forms work without the wasm and are left alone.
	const LIVE = new WeakSet();
	const HELD = new Map();
	document.addEventListener("click", (event) => {
		const button = event.target instanceof Element ? event.target.closest("button[type=button]") : null;
		const island = button ? button.closest("leptos-island") : null;
		if (!island || LIVE.has(island)) {
			return;
		}
		event.preventDefault();
		event.stopPropagation();
		HELD.set(island, [...(HELD.get(island) || []), button]);
	}, true);
	function replayHeldClicks(island) {
		LIVE.add(island);
		const buttons = HELD.get(island) || [];
		HELD.delete(island);
		for (const button of buttons) {
			if (button.isConnected) {
				button.click();
			}
		}
	}
	async function hydrateIsland(el, id, mod) {
		const islandFn = mod[id];
		if (islandFn) {
			const children_cb = MOST_RECENT_CHILDREN_CB[MOST_RECENT_CHILDREN_CB.length-1];
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

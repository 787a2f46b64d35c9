"use strict";
/*
 * flame render: the interactive part of the SVG flame graph.
 *
 * Set before this script: nametype, countname, fontsize, fontwidth, xpad,
 * inverted, searchcolor, fluiddrawing, truncate_text_right.
 *
 * Every frame is a g element (or an a element, for --nameattr links) in
 * the nested svg element "frames", holding a title, a rect whose x and
 * width are percentages of the frames area and whose fg:x and fg:w give
 * its start and width in profile units, and an optional text label.  Zoom and
 * search work on fg:x/fg:w, so they are exact whatever the window width.
 *
 * The URL keeps the state, as flamegraph.pl's does: ?s=REGEX searches,
 * ?x=X&y=Y zooms on the frame whose rect has those x and y attributes.
 */
var svg, framesvg, details, searchbtn, icbtn, unzoombtn, matchedtxt, prunedtxt;
var frames = [];      /* one record per frame, see collect() */
var total = 0;        /* profile units of the whole graph */
var zoomed = null;    /* the frame record zoomed on, or null */
var term = null;      /* the current search, or null */
var ignorecase = false;
var innerwidth = 0;   /* px width of the frames area */
var suffix_re = null; /* " (N samples, P%)" at the end of a title */
var FG = "http://github.com/jonhoo/inferno";
var pending = false;

function init(evt) {
	svg = document.documentElement;
	framesvg = document.getElementById("frames");
	details = document.getElementById("details").firstChild;
	searchbtn = document.getElementById("search");
	icbtn = document.getElementById("ignorecase");
	unzoombtn = document.getElementById("unzoom");
	matchedtxt = document.getElementById("matched");
	prunedtxt = document.getElementById("pruned");
	total = parseFloat(framesvg.getAttribute("total_samples"));
	suffix_re = new RegExp(" \\([0-9,]+ " + regex_quote(countname) +
		", [0-9.]+%(?:; [-+]?[0-9.]+%)?\\)$");
	collect();
	if (fluiddrawing) {
		svg.removeAttribute("viewBox");
		svg.setAttribute("width", "100%");
		window.addEventListener("resize", function () { schedule_layout(); }, false);
	}
	layout();

	var params = get_params();
	if (params.x && params.y) {
		for (var i = 0; i < frames.length; i++) {
			var f = frames[i];
			if (f.ox === params.x && f.rect.getAttribute("y") === params.y) {
				zoom(f);
				break;
			}
		}
	}
	if (params.s)
		search(params.s);
}

function regex_quote(s) {
	return s.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
}

function attr_num(el, name) {
	var v = el.getAttributeNS(FG, name);
	if (v === null || v === "")
		v = el.getAttribute("fg:" + name);
	return parseFloat(v);
}

/* A record per frame: its element, rect, label, position and name. */
function collect() {
	var els = framesvg.children;
	for (var i = 0; i < els.length; i++) {
		var e = els[i];
		var rect = e.querySelector("rect");
		var title = e.querySelector("title");
		if (!rect || !title)
			continue;
		var t = title.textContent;
		var m = suffix_re.exec(t);
		var name = m ? t.substring(0, m.index) : t;
		var f = {
			el: e, rect: rect, text: e.querySelector("text"), title: t, name: name,
			x: attr_num(rect, "x"), w: attr_num(rect, "w"),
			y: parseFloat(rect.getAttribute("y")),
			ox: rect.getAttribute("x"), fill: rect.getAttribute("fill")
		};
		e.flameIndex = frames.length;
		frames.push(f);
	}
}

/* ---- drawing ---- */

function schedule_layout() {
	if (pending)
		return;
	pending = true;
	window.requestAnimationFrame(function () { pending = false; layout(); });
}

/* Fit the graph to the window, then place every visible frame. */
function layout() {
	if (fluiddrawing) {
		var width = svg.getBoundingClientRect().width;
		if (width > 2 * xpad) {
			innerwidth = width - 2 * xpad;
			framesvg.setAttribute("width", innerwidth);
			searchbtn.setAttribute("x", width - xpad - 100);
			icbtn.setAttribute("x", width - xpad - 16);
			matchedtxt.setAttribute("x", width - xpad);
			if (prunedtxt)
				prunedtxt.setAttribute("x", width - xpad);
		}
	}
	if (!innerwidth)
		innerwidth = parseFloat(framesvg.getAttribute("width"));
	var base = zoomed ? zoomed.x : 0, span = zoomed ? zoomed.w : total;
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		if (f.el.classList.contains("hide"))
			continue;
		if (f.el.classList.contains("parent"))
			place(f, 0, 100);
		else
			place(f, (f.x - base) / span * 100, f.w / span * 100);
	}
}

function place(f, xpct, wpct) {
	f.rect.setAttribute("x", xpct.toFixed(4) + "%");
	f.rect.setAttribute("width", wpct.toFixed(4) + "%");
	label(f, xpct, wpct * innerwidth / 100);
}

/* The label of a frame wpx pixels wide: as much of the name as fits. */
function label(f, xpct, wpx) {
	var chars = Math.floor(wpx / (fontsize * fontwidth));
	var txt = "";
	if (chars >= 3) {
		var name = f.name.replace(/_\[[kwij]\]$/, "");
		var cps = Array.from(name);
		if (chars >= cps.length)
			txt = name;
		else if (truncate_text_right)
			txt = cps.slice(0, chars - 2).join("") + "..";
		else
			txt = ".." + cps.slice(cps.length - (chars - 2)).join("");
	}
	if (!f.text) {
		if (txt === "")
			return;
		f.text = document.createElementNS("http://www.w3.org/2000/svg", "text");
		f.text.setAttribute("y", f.y + (parseFloat(f.rect.getAttribute("height")) / 2 + 3));
		f.el.appendChild(f.text);
	}
	f.text.setAttribute("x", ((xpct * innerwidth / 100 + 3) / innerwidth * 100).toFixed(4) + "%");
	f.text.textContent = txt;
}

/* ---- zoom ---- */

function is_below(f, z) {
	/* f is nearer the root than z */
	return inverted ? f.y < z.y : f.y > z.y;
}

function zoom(z) {
	zoomed = z;
	unzoombtn.classList.remove("hide");
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i], c = f.el.classList;
		c.remove("parent");
		c.remove("hide");
		if (is_below(f, z)) {
			if (f.x <= z.x && f.x + f.w >= z.x + z.w)
				c.add("parent");
			else
				c.add("hide");
		} else if (f !== z && (f.x < z.x || f.x + f.w > z.x + z.w || f.y === z.y)) {
			c.add("hide");
		}
	}
	layout();
	set_param("x", z.ox);
	set_param("y", z.rect.getAttribute("y"));
	if (term !== null)
		search(term);
}

function unzoom() {
	zoomed = null;
	unzoombtn.classList.add("hide");
	for (var i = 0; i < frames.length; i++) {
		frames[i].el.classList.remove("parent");
		frames[i].el.classList.remove("hide");
	}
	layout();
	set_param("x", null);
	set_param("y", null);
	if (term !== null)
		search(term);
}

/* ---- search ---- */

function search_prompt() {
	if (term !== null) {
		reset_search();
		return;
	}
	var t = window.prompt("Enter a search term (regexp allowed, eg: ^ext4_)" +
		(ignorecase ? ", ignoring case" : "") +
		"\nPress Ctrl-i to toggle case sensitivity", "");
	if (t !== null && t !== "")
		search(t);
}

function reset_search() {
	term = null;
	for (var i = 0; i < frames.length; i++)
		frames[i].rect.setAttribute("fill", frames[i].fill);
	searchbtn.classList.remove("show");
	searchbtn.firstChild.nodeValue = "Search";
	matchedtxt.classList.add("hide");
	matchedtxt.firstChild.nodeValue = " ";
	if (prunedtxt)
		prunedtxt.classList.remove("hide");
	set_param("s", null);
}

function toggle_ignorecase() {
	ignorecase = !ignorecase;
	if (ignorecase)
		icbtn.classList.add("show");
	else
		icbtn.classList.remove("show");
	if (term !== null)
		search(term);
}

function search(t) {
	var re;
	try {
		re = new RegExp(t, ignorecase ? "i" : "");
	} catch (err) {
		return;
	}
	term = t;
	var base = zoomed ? zoomed.x : 0, span = zoomed ? zoomed.w : total;
	var spans = [], whole = false;
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		if (!re.test(f.name)) {
			f.rect.setAttribute("fill", f.fill);
			continue;
		}
		f.rect.setAttribute("fill", searchcolor);
		if (f.el.classList.contains("hide"))
			continue;
		if (f.el.classList.contains("parent") || f === zoomed)
			whole = true;
		else
			spans.push([f.x, f.x + f.w]);
	}
	/* the weight under the matches, each sample counted once */
	var covered = 0;
	if (whole) {
		covered = span;
	} else {
		spans.sort(function (a, b) { return a[0] - b[0]; });
		var end = -Infinity;
		for (var k = 0; k < spans.length; k++) {
			var s = Math.max(spans[k][0], end, base);
			var e = Math.min(spans[k][1], base + span);
			if (e > s)
				covered += e - s;
			if (spans[k][1] > end)
				end = spans[k][1];
		}
	}
	var pct = span > 0 ? 100 * covered / span : 0;
	searchbtn.classList.add("show");
	searchbtn.firstChild.nodeValue = "Reset Search";
	matchedtxt.classList.remove("hide");
	matchedtxt.firstChild.nodeValue = "Matched: " + (pct === 100 ? "100" : pct.toFixed(1)) + "%";
	if (prunedtxt)
		prunedtxt.classList.add("hide");
	set_param("s", t);
}

/* ---- URL state ---- */

function get_params() {
	var params = {};
	var parts = window.location.search.substring(1).split("&");
	for (var i = 0; i < parts.length; i++) {
		var eq = parts[i].indexOf("=");
		if (eq <= 0 || eq === parts[i].length - 1)
			continue;
		try {
			params[parts[i].substring(0, eq)] = decodeURIComponent(parts[i].substring(eq + 1));
		} catch (err) {
		}
	}
	return params;
}

function set_param(key, value) {
	var params = get_params();
	if (value === null)
		delete params[key];
	else
		params[key] = value;
	var q = [];
	for (var k in params)
		if (Object.prototype.hasOwnProperty.call(params, k))
			q.push(k + "=" + encodeURIComponent(params[k]));
	var url = q.length ? "?" + q.join("&") : window.location.href.split("?")[0];
	try {
		history.replaceState(null, "", url);
	} catch (err) {
	}
}

/* ---- events ---- */

function frame_of(node) {
	while (node && node.parentNode) {
		if (node.parentNode === framesvg)
			return node.flameIndex === undefined ? null : frames[node.flameIndex];
		node = node.parentNode;
	}
	return null;
}

window.addEventListener("click", function (e) {
	var f = frame_of(e.target);
	if (f) {
		if (f.el.nodeName === "a") {
			if (!e.ctrlKey)
				return;
			e.preventDefault();
		}
		if (f.el.classList.contains("parent") && f.x === 0 && f.w >= total)
			unzoom();
		else
			zoom(f);
		return;
	}
	var id = e.target.id;
	if (id === "unzoom")
		unzoom();
	else if (id === "search")
		search_prompt();
	else if (id === "ignorecase")
		toggle_ignorecase();
}, false);

window.addEventListener("mouseover", function (e) {
	var f = frame_of(e.target);
	if (f)
		details.nodeValue = nametype + " " + f.title;
}, false);

window.addEventListener("mouseout", function (e) {
	if (frame_of(e.target))
		details.nodeValue = " ";
}, false);

window.addEventListener("keydown", function (e) {
	if (e.keyCode === 114 || (e.ctrlKey && e.keyCode === 70)) {
		e.preventDefault();
		search_prompt();
	} else if (e.ctrlKey && e.keyCode === 73) {
		e.preventDefault();
		toggle_ignorecase();
	}
}, false);

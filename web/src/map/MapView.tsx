// An offline Leaflet map: Natural Earth countries (world-atlas 1:50m, shipped through npm) as a GeoJSON base
// layer, no tiles. Incidents are category symbols, clustered when dense; situation layers (places, a
// schematic road) are drawn over the base map. Loaded on demand with the pages that show a map.
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import L from 'leaflet';
import 'leaflet.markercluster';
import { useEffect, useMemo, useRef } from 'react';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import type { Incident, Layer } from '../api/types.ts';
import { t, tn } from '../i18n/index.ts';
import { categoryLabel, symbolSvg } from '../lib/categories.ts';
import { formatRange } from '../lib/dates.ts';

export interface MapViewProps {
  /** Incidents to show; those without a point are skipped. */
  incidents: Incident[];
  layers?: Layer[];
  area?: Feature | null;
  /** Accessible name of the map region. */
  label: string;
  cluster?: boolean;
  /** What the first view frames: the situation's region (default) or the incidents shown. */
  focus?: 'region' | 'incidents';
  /** Zoom used when there is a single point. */
  singleZoom?: number;
  /** Opens an incident page (in-app navigation) when its link in a popup is followed. */
  onOpenIncident?: (id: string) => void;
  className?: string;
}

const LAND = { color: '#A7B0BB', weight: 0.7, fillColor: '#EFEEE9', fillOpacity: 1, interactive: false };
const AREA = { color: '#64748B', weight: 1, dashArray: '1 4', fillColor: '#94A3B8', fillOpacity: 0.14 };
const ROUTE = { color: '#1E293B', weight: 3, dashArray: '8 7', opacity: 0.9 };

const NO_LAYERS: Layer[] = [];

let countries: Promise<FeatureCollection> | null = null;

/** The Natural Earth countries as GeoJSON, converted once per page load. */
function loadCountries(): Promise<FeatureCollection> {
  countries ??= import('world-atlas/countries-50m.json', { with: { type: 'json' } }).then((mod) => {
    const topology = mod.default as unknown as Topology;
    const object = topology.objects.countries;
    if (!object) throw new Error('world-atlas: no countries object');
    return feature(topology, object) as FeatureCollection;
  });
  return countries;
}

function incidentPopup(i: Incident, onOpen?: (id: string) => void): HTMLElement {
  const box = document.createElement('div');
  box.className = 'map-popup';
  const date = document.createElement('p');
  date.className = 'map-popup-date';
  date.textContent = formatRange(i.start, i.startPrecision, i.end, i.endPrecision);
  const title = document.createElement('p');
  title.className = 'map-popup-title';
  const link = document.createElement('a');
  link.href = `/incidents/${encodeURIComponent(i.id)}`;
  link.textContent = i.title;
  if (onOpen) {
    link.addEventListener('click', (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      onOpen(i.id);
    });
  }
  title.append(link);
  const meta = document.createElement('p');
  meta.className = 'map-popup-meta';
  meta.textContent = [categoryLabel(i.category), i.placeName].filter(Boolean).join(' · ');
  box.append(date, title, meta);
  if (i.pointSource === 'gazetteer') {
    const note = document.createElement('p');
    note.className = 'map-popup-meta';
    note.textContent = t('location.gazetteer');
    box.append(note);
  }
  return box;
}

function clusterIcon(cluster: L.MarkerCluster): L.DivIcon {
  const n = cluster.getChildCount();
  const size = n < 10 ? 30 : n < 50 ? 36 : 42;
  const html = document.createElement('span');
  const count = document.createElement('span');
  count.textContent = String(n);
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = ` ${tn('map.clusterName', n)}`;
  html.append(count, hidden);
  return L.divIcon({ html, className: 'map-cluster', iconSize: L.point(size, size) });
}

function layerLabel(layer: Layer, name: string | undefined): string {
  const base = name ?? layer.name;
  return layer.schematic && !/schematic/i.test(base) ? t('map.schematicLabel', { name: base }) : base;
}

/**
 * The bounds of the situation's own geography: its area and its routes (places far away, such as a capital,
 * stay on the map but outside the first view). Without those, the places layers.
 */
function regionBounds(area: Feature | null, layers: Layer[]): L.LatLngBounds | null {
  const b = L.latLngBounds([]);
  if (area) b.extend(L.geoJSON(area).getBounds());
  const routes = layers.filter((l) => l.kind === 'route');
  for (const layer of b.isValid() || routes.length > 0 ? routes : layers) {
    const lb = L.geoJSON(layer.geojson as FeatureCollection<Geometry>).getBounds();
    if (lb.isValid()) b.extend(lb);
  }
  return b.isValid() ? b : null;
}

function fit(map: L.Map, bounds: L.LatLngBounds | null, singleZoom: number): void {
  if (!bounds?.isValid()) {
    map.setView([20, 0], 2);
    return;
  }
  const ne = bounds.getNorthEast();
  if (ne.equals(bounds.getSouthWest())) map.setView(ne, singleZoom);
  else map.fitBounds(bounds, { padding: [36, 36], maxZoom: 10 });
}

function drawLayer(layer: Layer, map: L.Map): void {
  const gj = L.geoJSON(layer.geojson as FeatureCollection<Geometry>, {
    style: () => (layer.kind === 'route' ? ROUTE : { color: '#1E293B', weight: 2 }),
    interactive: false,
    pointToLayer: (f, latlng) => {
      const name = typeof f.properties?.name === 'string' ? f.properties.name : undefined;
      const m = L.circleMarker(latlng, {
        radius: 4,
        color: '#1E293B',
        weight: 2,
        fillColor: '#FFFFFF',
        fillOpacity: 1,
        interactive: false,
      });
      if (name)
        m.bindTooltip(name, {
          permanent: true,
          direction: 'right',
          offset: [6, 0],
          className: 'place-label',
        });
      return m;
    },
    onEachFeature: (f, l) => {
      if (f.geometry.type === 'Point' || f.geometry.type === 'MultiPoint') return;
      const name = typeof f.properties?.name === 'string' ? f.properties.name : undefined;
      l.bindTooltip(layerLabel(layer, name), {
        permanent: true,
        direction: 'left',
        offset: [-14, 0],
        className: 'route-label',
      });
    },
  });
  gj.addTo(map);
}

export default function MapView({
  incidents,
  layers = NO_LAYERS,
  area = null,
  label,
  cluster = true,
  focus = 'region',
  singleZoom = 8,
  onOpenIncident,
  className,
}: MapViewProps) {
  const ref = useRef<HTMLElement>(null);

  const mapRef = useRef<L.Map | null>(null);
  const views = useMemo(() => {
    const region = regionBounds(area, layers);
    const all = L.latLngBounds([]);
    const points = L.latLngBounds([]);
    if (region) all.extend(region);
    const outside: Incident[] = [];
    const margin = region?.pad(0.5);
    for (const i of incidents) {
      if (!i.point) continue;
      const ll = L.latLng(i.point.lat, i.point.lon);
      all.extend(ll);
      points.extend(ll);
      if (margin && !margin.contains(ll)) outside.push(i);
    }
    const places = [...new Set(outside.map((i) => i.placeName).filter((p): p is string => Boolean(p)))];
    return {
      region,
      all: all.isValid() ? all : null,
      points: points.isValid() ? points : null,
      outside: outside.length,
      places,
    };
  }, [incidents, layers, area]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    const map = L.map(el, {
      minZoom: 2,
      maxZoom: 12,
      zoomSnap: 0.5,
      worldCopyJump: false,
      scrollWheelZoom: false,
      zoomAnimation: !still,
      fadeAnimation: !still,
      markerZoomAnimation: !still,
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(t('map.attribution'));
    let alive = true;
    const base = L.geoJSON(undefined, { style: () => LAND, interactive: false }).addTo(map);
    loadCountries().then(
      (fc) => {
        if (!alive) return;
        base.addData(fc);
        base.bringToBack();
      },
      () => undefined,
    );

    if (area) L.geoJSON(area, { style: () => AREA, interactive: false }).addTo(map);
    for (const layer of layers) drawLayer(layer, map);

    const markers: L.Marker[] = [];
    for (const i of incidents) {
      if (!i.point) continue;
      const latlng = L.latLng(i.point.lat, i.point.lon);
      const name = `${formatRange(i.start, i.startPrecision, i.end, i.endPrecision)} — ${i.title}`;
      // A 16 px symbol in a 24 px target (WCAG 2.2 target size).
      const icon = L.divIcon({
        html: symbolSvg(i.category, 16),
        className: 'map-symbol',
        iconSize: L.point(24, 24),
      });
      const m = L.marker(latlng, { icon, title: name, keyboard: true, riseOnHover: true });
      m.bindPopup(() => incidentPopup(i, onOpenIncident), { maxWidth: 280 });
      markers.push(m);
    }
    if (cluster && markers.length > 1) {
      const group = L.markerClusterGroup({
        maxClusterRadius: 36,
        showCoverageOnHover: false,
        spiderfyOnMaxZoom: true,
        animate: !still,
        iconCreateFunction: clusterIcon,
      });
      group.addLayers(markers);
      map.addLayer(group);
    } else {
      for (const m of markers) m.addTo(map);
    }

    // Keyboard path: a marker opened with Enter moves focus into its popup (to the incident link); closing the
    // popup (Escape or its close button) returns focus to the marker.
    let opener: HTMLElement | null = null;
    const escapable = new WeakSet<HTMLElement>();
    map.on('popupopen', (e: L.PopupEvent) => {
      const active = document.activeElement;
      opener = active instanceof HTMLElement && el.contains(active) ? active : null;
      const box = e.popup.getElement();
      if (box && !escapable.has(box)) {
        escapable.add(box);
        box.addEventListener('keydown', (k) => {
          if (k.key === 'Escape') map.closePopup();
        });
      }
      box?.querySelector<HTMLElement>('.map-popup a')?.focus();
    });
    map.on('popupclose', (e: L.PopupEvent) => {
      const inside = e.popup.getElement()?.contains(document.activeElement) ?? false;
      if (opener?.isConnected && (inside || document.activeElement === document.body)) opener.focus();
      opener = null;
    });

    // Start on the situation's own geography; incidents elsewhere (courts, UN seats) are one click away.
    fit(map, focus === 'incidents' ? (views.points ?? views.all) : (views.region ?? views.all), singleZoom);
    mapRef.current = map;
    // The container may change size with the page layout (responsive columns).
    const ro = new ResizeObserver(() => map.invalidateSize());
    ro.observe(el);
    return () => {
      alive = false;
      mapRef.current = null;
      ro.disconnect();
      map.remove();
    };
  }, [incidents, layers, area, cluster, focus, singleZoom, onOpenIncident, views]);

  const showAll = () => mapRef.current && fit(mapRef.current, views.all, singleZoom);
  const showRegion = () => mapRef.current && fit(mapRef.current, views.region, singleZoom);
  return (
    <div className="map-wrap">
      <section ref={ref} className={`map ${className ?? ''}`} aria-label={label} />
      {focus === 'region' && views.region && views.outside > 0 && (
        <div className="map-tools">
          <p className="note">
            {tn('map.outside', views.outside, { places: views.places.slice(0, 4).join(', ') })}
          </p>
          <div className="map-buttons">
            <button type="button" className="button button-secondary button-small" onClick={showAll}>
              {t('map.showAll')}
            </button>
            <button type="button" className="button button-secondary button-small" onClick={showRegion}>
              {t('map.showRegion')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

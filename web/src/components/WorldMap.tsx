import { geoContains, geoEqualEarth, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { useEffect, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
// A hashed file of our own (~38 kB compressed), fetched when a map is first shown: no tiles, no CDN.
import atlasUrl from 'world-atlas/countries-110m.json?url';

/**
 * A small world map drawn here, in SVG, from Natural Earth's 1:110m countries (world-atlas), in
 * the Equal Earth projection, with a dot at a position. This module is loaded on demand (the
 * session panel imports it lazily), so d3-geo and the atlas stay out of the first page's bundle.
 */

const WIDTH = 640;
const MARGIN = 4;
/** Natural Earth's id of Antarctica: left out, it would take a fifth of the height for no session. */
const ANTARCTICA = '010';

type Country = Feature<Geometry, { name: string }>;
interface Atlas {
  countries: Country[];
  paths: string[];
  project: (point: [number, number]) => [number, number] | null;
  viewBox: string;
}

let atlas: Promise<Atlas> | undefined;

/** Fetches and projects the atlas once per page load; a failure may be retried by the next map. */
function loadAtlas(): Promise<Atlas> {
  atlas ??= fetch(atlasUrl)
    .then((response) => {
      if (!response.ok) throw new Error(`map data: ${response.status}`);
      return response.json() as Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>>;
    })
    .then((topology) => {
      const all = feature(topology, topology.objects.countries) as FeatureCollection<
        Geometry,
        { name: string }
      >;
      const countries = all.features.filter((c) => c.id !== ANTARCTICA);
      const land: FeatureCollection<Geometry, { name: string }> = {
        type: 'FeatureCollection',
        features: countries,
      };
      const projection = geoEqualEarth().fitWidth(WIDTH - 2 * MARGIN, land);
      projection.translate([projection.translate()[0] + MARGIN, projection.translate()[1]]);
      const path = geoPath(projection);
      const [[, top], [, bottom]] = path.bounds(land);
      return {
        countries,
        paths: countries.map((c) => path(c) ?? ''),
        project: (point: [number, number]) => projection(point),
        viewBox: `0 ${Math.floor(top - MARGIN)} ${WIDTH} ${Math.ceil(bottom - top + 2 * MARGIN)}`,
      };
    })
    .catch((error: unknown) => {
      atlas = undefined;
      throw error;
    });
  return atlas;
}

interface WorldMapProps {
  latitude: number;
  longitude: number;
  /** What the map shows, for assistive technology and on hover: "Approximately Berlin, Germany". */
  label: string;
}

export default function WorldMap({ latitude, longitude, label }: WorldMapProps) {
  const [drawn, setDrawn] = useState<Atlas | 'failed' | null>(null);
  useEffect(() => {
    let live = true;
    loadAtlas().then(
      (loaded) => live && setDrawn(loaded),
      () => live && setDrawn('failed'),
    );
    return () => {
      live = false;
    };
  }, []);

  if (drawn === 'failed') {
    return <p className="world-map-missing muted small">The map could not be loaded.</p>;
  }
  if (drawn === null) return <div className="world-map world-map-loading" aria-hidden="true" />;

  const point: [number, number] = [longitude, latitude];
  const here = drawn.countries.findIndex((c) => geoContains(c, point));
  const at = drawn.project(point);
  return (
    <svg className="world-map" viewBox={drawn.viewBox} role="img" aria-label={label}>
      <title>{label}</title>
      <g className="world-map-countries">
        {drawn.paths.map((d, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the atlas's countries, in its fixed order
          <path key={i} d={d} className={i === here ? 'country-here' : undefined} />
        ))}
      </g>
      {at && (
        <g className="world-map-marker" transform={`translate(${at[0].toFixed(1)} ${at[1].toFixed(1)})`}>
          <circle r="14" className="world-map-halo" />
          <circle r="5" className="world-map-dot" />
        </g>
      )}
    </svg>
  );
}

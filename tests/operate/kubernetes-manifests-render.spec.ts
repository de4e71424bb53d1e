import { kustomize } from './operate-files';
import type { Manifest } from './operate-files';

interface Container {
  name: string;
  image: string;
  command: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

interface Probe {
  httpGet: { path: string; port: string };
  periodSeconds: number;
  failureThreshold: number;
}

interface PodSpec {
  initContainers: Container[];
  containers: Container[];
}

const PORTS: Record<string, number> = {
  admin: 3000,
  ledger: 3001,
  topup: 3002,
  metering: 3003,
  alerting: 3004,
};
const SERVICES = Object.keys(PORTS);

const base = kustomize('infra/k8s/base');
const overlay = kustomize('infra/k8s/overlays/example');

const find = (manifests: Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((item) => item.kind === kind && item.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const podSpec = (deployment: Manifest) =>
  (deployment.spec as { template: { spec: PodSpec } }).template.spec;
const mebibytes = (quantity: string) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};
const configMap = overlay.find((item) => item.kind === 'ConfigMap')!;

describe('Kubernetes manifests (kubectl kustomize)', () => {
  it('render the base and the example overlay with the same objects, the overlay in namespace tally', () => {
    const names = (manifests: Manifest[]) =>
      manifests
        .map((item) => `${item.kind}/${item.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`)
        .sort();
    expect(names(overlay)).toEqual(
      [...names(base), 'Namespace/tally', 'Secret/tally-secrets'].sort(),
    );
    for (const item of overlay.filter((manifest) => manifest.kind !== 'Namespace')) {
      expect(item.metadata.namespace).toBe('tally');
    }
  });

  it.each(SERVICES)(
    'run %s with probes on /health, migrations first, requests from the bench',
    (service) => {
      const deployment = find(overlay, 'Deployment', service);
      expect(deployment.spec).not.toHaveProperty('replicas');
      const spec = podSpec(deployment);
      const [main] = spec.containers;
      expect(main!.image).toBe('registry.example.com/tally:0.1.0');
      expect(main!.command).toEqual(['sh', 'infra/exec-service.sh', service]);
      expect(main!.ports).toEqual([{ name: 'http', containerPort: PORTS[service] }]);
      expect(main!.env).toContainEqual({ name: 'PORT', value: String(PORTS[service]) });
      for (const probe of [main!.startupProbe, main!.readinessProbe, main!.livenessProbe]) {
        expect(probe?.httpGet).toEqual({ path: '/health', port: 'http' });
      }
      // Liveness tolerates two minutes of failed health checks (a database or broker blip).
      expect(main!.livenessProbe!.periodSeconds * main!.livenessProbe!.failureThreshold).toBe(120);
      // Peak RSS in the benchmark: 250-300 MB per service.
      expect(mebibytes(main!.resources.requests['memory']!)).toBeGreaterThanOrEqual(300);
      expect(mebibytes(main!.resources.limits['memory']!)).toBeGreaterThan(
        mebibytes(main!.resources.requests['memory']!),
      );
      expect(spec.initContainers.map((init) => [init.name, init.image, init.command])).toEqual([
        ['migrate', 'registry.example.com/tally:0.1.0', ['node', 'dist/infra/migrate.js', service]],
      ]);
    },
  );

  it.each(SERVICES)(
    'let %s lose one pod at a time and scale it from 2 to the partition count',
    (service) => {
      const deployment = find(overlay, 'Deployment', service);
      const selector = (deployment.spec as { selector: unknown }).selector;
      expect(find(overlay, 'PodDisruptionBudget', service).spec).toEqual({
        maxUnavailable: 1,
        selector,
      });
      const scaled = find(overlay, 'ScaledObject', service).spec as {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        maxReplicaCount: number;
        triggers: Array<{ type: string; metadata: Record<string, string> }>;
      };
      expect(scaled.scaleTargetRef).toEqual({ name: service });
      expect(scaled.minReplicaCount).toBe(2);
      expect(scaled.maxReplicaCount).toBe(Number(configMap.data!['KAFKA_PARTITIONS']));
      for (const trigger of scaled.triggers.filter((item) => item.type === 'kafka')) {
        expect(trigger.metadata['bootstrapServers']).toBe(configMap.data!['KAFKA_BROKERS']);
        // libs/messaging names a consumer group <service>.<topic>.
        expect(trigger.metadata['consumerGroup']).toBe(`${service}.${trigger.metadata['topic']}`);
        expect(trigger.metadata['allowIdleConsumers']).toBe('false');
      }
    },
  );

  it('scale the two consumers of the usage stream on their lag', () => {
    const triggers = (service: string) =>
      (find(overlay, 'ScaledObject', service).spec as { triggers: unknown[] }).triggers;
    expect(triggers('metering')).toEqual([
      expect.objectContaining({
        type: 'kafka',
        metadata: expect.objectContaining({ topic: 'usage.events' }),
      }),
    ]);
    expect(triggers('ledger')).toEqual([
      expect.objectContaining({
        type: 'kafka',
        metadata: expect.objectContaining({ topic: 'usage.rated' }),
      }),
    ]);
  });

  it('give each secret from tally-secrets to the services that use it only, none in the ConfigMap', () => {
    // ALERTING_SMTP_URL holds the SMTP password (smtp://user:password@host).
    const users: Record<string, string[]> = {
      DATABASE_URL: SERVICES,
      STRIPE_SECRET_KEY: ['topup'],
      STRIPE_WEBHOOK_SECRET: ['topup'],
      ADMIN_BOOTSTRAP_TOKEN: ['admin'],
      ALERTING_SMTP_URL: ['alerting'],
    };
    for (const [variable, services] of Object.entries(users)) {
      expect([variable, Object.keys(configMap.data ?? {}).includes(variable)]).toEqual([
        variable,
        false,
      ]);
      const given = SERVICES.filter((service) =>
        podSpec(find(overlay, 'Deployment', service)).containers.some((container) =>
          (container.env ?? []).some(
            (entry) => entry.name === variable && entry.valueFrom?.secretKeyRef !== undefined,
          ),
        ),
      );
      expect([variable, given]).toEqual([variable, services]);
    }
  });

  it('refer only to ConfigMaps and Secret keys the overlay renders', () => {
    const secret = find(overlay, 'Secret', 'tally-secrets');
    for (const deployment of overlay.filter((item) => item.kind === 'Deployment')) {
      const spec = podSpec(deployment);
      for (const container of [...spec.initContainers, ...spec.containers]) {
        for (const source of container.envFrom ?? []) {
          expect(source.configMapRef?.name).toBe(configMap.metadata.name);
        }
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (!ref) continue;
          expect(ref.name).toBe(secret.metadata.name);
          expect(Object.keys(secret.stringData ?? {})).toContain(ref.key);
        }
      }
    }
    expect(configMap.metadata.name).toMatch(/^tally-config-[a-z0-9]{10}$/);
  });
});

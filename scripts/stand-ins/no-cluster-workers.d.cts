declare const cluster: Pick<import('node:cluster').Cluster, 'isMaster' | 'isPrimary' | 'isWorker' | 'on' | 'removeListener'>;
export = cluster;

export declare const portalRoot: string
export declare const portalDist: string
export declare function portalIsStale(): boolean
export declare function buildPortalIfStale(options?: { quiet?: boolean }): Promise<boolean>
